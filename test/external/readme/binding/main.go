package main

import (
	"fmt"

	"github.com/csock/csock/csock"
)

func main() {
	res, err := csock.GetAddrInfo([]byte("localhost"), []byte("http"), csock.AF_INET, csock.SOCK_STREAM, 0, 0, nil)
	if err != nil {
		panic(err) // a *csock.GaiError: "Name or service not known", ...
	}
	for _, r := range res {
		fmt.Println(r.Addr.Host, r.Addr.Port) // 127.0.0.1 80
	}
}
