module github.com/csock/csock/test/external

go 1.26.0

require github.com/csock/csock v0.0.0-00010101000000-000000000000

require (
	github.com/mattn/go-pointer v0.0.1 // indirect
	golang.org/x/net v0.62.0 // indirect
)

replace github.com/csock/csock => ../..
