package pyexc

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

// exception is a Python exception of class c with message m.
type exception struct{ c, m string }

func (e exception) Error() string   { return e.m }
func (e exception) PyClass() string { return e.c }

var _ py.Exception = exception{}

func TestLine(t *testing.T) {
	assert.Equal(t, "no exception", Line(nil))
	assert.Equal(t, "Go error: plain", Line(errors.New("plain")))
	assert.Equal(t, "ValueError", Line(exception{"ValueError", ""}))
}

// TestExcDefMatchesLine checks both sides print the same line for the same exception.
func TestExcDefMatchesLine(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3")
	}
	out, err := exec.Command("python3", "-c", "import socket"+ExcDef+`
def f(): raise socket.gaierror(-2, 'Name or service not known')
def g(): raise ValueError()
print(exc(f)); print(exc(g)); print(exc(lambda: None))
`).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, Line(exception{"socket.gaierror", "[Errno -2] Name or service not known"}), lines[0])
	assert.Equal(t, Line(exception{"ValueError", ""}), lines[1])
	assert.Equal(t, Line(nil), lines[2])
}
