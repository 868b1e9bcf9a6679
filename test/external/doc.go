// Package external uses csock as a user does: from a module of its own, which requires
// github.com/csock/csock (replaced by this checkout) and so can import only its public
// packages. Its tests run the README's Go code and every Example of the public packages
// from here, so that nothing a user is shown needs an internal package.
package external
