package seam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/internal/seam"
)

func TestHook_OpsHaveNamesAndHooks(t *testing.T) {
	ops := seam.Ops()
	require.Len(t, ops, 12)
	seen := map[*seam.Hook]bool{}
	for _, op := range ops {
		h := seam.HookFor(op)
		require.NotNil(t, h, "%v", op)
		assert.False(t, seen[h], "%v shares a hook", op)
		seen[h] = true
		assert.NotContains(t, op.String(), "Op(")
	}
	assert.Nil(t, seam.HookFor(0))
	assert.Equal(t, "Op(200)", seam.Op(200).String())
}

func TestHook_SetReturnsARestoreOfThePreviousFunction(t *testing.T) {
	var h seam.Hook
	assert.NoError(t, h.Check(seam.OpRecv, 3), "an unset hook lets every call through")
	errOuter := assert.AnError
	outer := h.Set(func(c seam.Call) error {
		assert.Equal(t, seam.Call{Op: seam.OpRecv, FD: 3}, c)
		return errOuter
	})
	inner := h.Set(nil)
	assert.False(t, h.Active())
	assert.NoError(t, h.Check(seam.OpRecv, 3))
	inner()
	assert.True(t, h.Active())
	assert.Equal(t, errOuter, h.Check(seam.OpRecv, 3))
	outer()
	assert.False(t, h.Active())
}
