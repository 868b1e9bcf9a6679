package idna_test

import (
	"errors"
	"fmt"

	"github.com/csock/csock/internal/idna"
)

func ExampleEncodeString() {
	b, err := idna.EncodeString("Bücher.example")
	fmt.Println(string(b), err)

	_, err = idna.EncodeString("xn--ü.example")
	var e *idna.Error
	if errors.As(err, &e) {
		fmt.Printf("encoding with 'idna' codec failed (UnicodeError: %s)\n", e.Reason)
	}
	// Output:
	// xn--bcher-kva.example <nil>
	// encoding with 'idna' codec failed (UnicodeError: Label starts with ACE prefix)
}

func ExampleEncode() {
	_, err := idna.Encode([]rune{'h', 'o', 's', 't', 0xDCFF})
	fmt.Println(err)
	// Output:
	// Invalid character '\udcff'
}
