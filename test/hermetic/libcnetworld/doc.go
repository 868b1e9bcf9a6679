//go:build linux

// Package libcnetworld tests libcnet where DefaultWorld does not fit: a world whose
// /etc/gai.conf is empty (glibc's own RFC 6724 table, IPv6 first) and whose /etc/hosts
// gives he.test an IPv6 address that never answers besides 127.0.0.1, for the Dialer's
// Happy Eyeballs; and a resolver timeout of 3 s, so that lookups the server does not
// answer are still running when a loaded machine gets to cancel them.
package libcnetworld
