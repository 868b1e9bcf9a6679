//go:build linux

package facade_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/csock/csock/facade"
)

// GetAddrInfoContext is getaddrinfo that gives up when its context ends: a name goes to
// glibc's getaddrinfo_a, and a lookup still queued when the context ends never runs.
func ExampleGetAddrInfoContext() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := facade.GetAddrInfoContext(ctx, "localhost", 80, facade.AF_INET, facade.SOCK_STREAM, 0, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Println(r.PyRepr())
	}

	// An ended context is the context's own error.
	cancel()
	_, err = facade.GetAddrInfoContext(ctx, "localhost", 80, 0, 0, 0, 0)
	fmt.Println(err, err == ctx.Err(), errors.Is(err, context.Canceled))
	// Output:
	// (<AddressFamily.AF_INET: 2>, <SocketKind.SOCK_STREAM: 1>, 6, '', ('127.0.0.1', 80))
	// context canceled true true
}
