//go:build linux

package libcnet

import (
	"cmp"
	"context"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/csock/csock/csock"
)

// maxReply is the largest DNS message (its length is 16 bits on TCP): a buffer of this
// size holds any reply res_nsearch can return, so no lookup is made twice.
const maxReply = 65535

// replyBufs holds buffers for res_nsearch's replies: 64 KiB each, not worth allocating
// per lookup. They hold no Go pointers, so cgo may pass them to C.
var replyBufs = sync.Pool{New: func() any { return new([maxReply]byte) }}

// search runs res_nsearch(3) for name and type in class IN, in a slot, and returns the
// answer section's records of that type (CNAMEs and others on the way are skipped) and
// the owner name of the first of them.
func search(ctx context.Context, name string, qtype dnsmessage.Type) ([]dnsmessage.Resource, string, error) {
	if !validName(name) {
		// As net: a name that is not a domain name (empty, too long, an empty label,
		// spaces, all digits, a NUL) is "no such host" and no query is sent.
		return nil, "", notFound(name)
	}
	buf := replyBufs.Get().(*[maxReply]byte)
	n, err := blocking(ctx, func() (int, error) {
		return csock.ResSearch([]byte(name), int(dnsmessage.ClassINET), int(qtype), buf[:], nil)
	})
	if err != nil {
		if ctx.Err() == nil || err != ctx.Err() {
			replyBufs.Put(buf)
		}
		// An abandoned call still writes into buf: it is left to the garbage collector.
		return nil, "", dnsError(err, name)
	}
	defer replyBufs.Put(buf)
	if n > len(buf) {
		n = len(buf) // cannot happen: no DNS message is longer
	}
	var p dnsmessage.Parser
	if _, err := p.Start(buf[:n]); err != nil {
		return nil, "", &net.DNSError{Err: "cannot unmarshal DNS message", Name: name, UnwrapErr: err}
	}
	if err := p.SkipAllQuestions(); err != nil {
		return nil, "", &net.DNSError{Err: "cannot unmarshal DNS message", Name: name, UnwrapErr: err}
	}
	var out []dnsmessage.Resource
	for {
		h, err := p.AnswerHeader()
		if err == dnsmessage.ErrSectionDone {
			break
		}
		if err == nil && h.Type != qtype {
			err = p.SkipAnswer()
			if err == nil {
				continue
			}
		}
		var body dnsmessage.ResourceBody
		if err == nil {
			switch qtype {
			case dnsmessage.TypeSRV:
				var r dnsmessage.SRVResource
				r, err = p.SRVResource()
				body = &r
			case dnsmessage.TypeMX:
				var r dnsmessage.MXResource
				r, err = p.MXResource()
				body = &r
			case dnsmessage.TypeTXT:
				var r dnsmessage.TXTResource
				r, err = p.TXTResource()
				body = &r
			case dnsmessage.TypeNS:
				var r dnsmessage.NSResource
				r, err = p.NSResource()
				body = &r
			}
		}
		if err != nil {
			return nil, "", &net.DNSError{Err: "cannot unmarshal DNS message", Name: name, UnwrapErr: err}
		}
		out = append(out, dnsmessage.Resource{Header: h, Body: body})
	}
	owner := ""
	if len(out) > 0 {
		owner = out[0].Header.Name.String()
	}
	return out, owner, nil
}

// LookupSRV looks up the SRV records of _service._proto.name (of name itself when service
// and proto are both empty) with res_nsearch(3), which applies resolv.conf's search list
// and ndots as glibc's resolver does, and parses the reply with
// golang.org/x/net/dns/dnsmessage. It returns the owner name of the records and the
// records sorted as net.Resolver sorts them (RFC 2782: by priority, shuffled by weight
// within one). As in net, records whose target is not a valid domain name are left out,
// and then returned with an error; a query name that is not a domain name (empty, an
// empty label or one over 63 bytes, a space, all digits) is "no such host" at once, and
// no query is sent. The same holds for LookupMX, LookupNS and LookupTXT.
//
// Differences from net.Resolver.LookupSRV: the query is libc's (res_nsearch: its search
// list, its retries, its choice of UDP or TCP), so the same name can be found on another
// search domain, or fail otherwise; a failure is a *net.DNSError wrapping libc's h_errno
// (*csock.HError: HOST_NOT_FOUND and NO_DATA are IsNotFound, TRY_AGAIN IsTemporary).
func (r *Resolver) LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	target := name
	if service != "" || proto != "" {
		target = "_" + service + "._" + proto + "." + name
	}
	rrs, owner, err := search(ctx, target, dnsmessage.TypeSRV)
	if err != nil {
		return "", nil, err
	}
	if owner != "" && !validName(owner) {
		return "", nil, &net.DNSError{Err: "SRV header name is invalid", Name: name}
	}
	srvs := make([]*net.SRV, 0, len(rrs))
	dropped := false
	for _, rr := range rrs {
		s := rr.Body.(*dnsmessage.SRVResource)
		t := s.Target.String()
		if !validName(t) {
			dropped = true
			continue
		}
		srvs = append(srvs, &net.SRV{Target: t, Port: s.Port, Priority: s.Priority, Weight: s.Weight})
	}
	sortSRV(srvs)
	if dropped {
		return owner, srvs, &net.DNSError{Err: errMalformed, Name: name}
	}
	return owner, srvs, nil
}

// sortSRV orders records as RFC 2782 says a client picks them: by priority, and within one
// priority by repeated weighted random draws (a record's chance of coming next is its
// weight over the weights left).
func sortSRV(srvs []*net.SRV) {
	slices.SortStableFunc(srvs, func(a, b *net.SRV) int { return cmp.Compare(a.Priority, b.Priority) })
	for start := 0; start < len(srvs); {
		end := start + 1
		for end < len(srvs) && srvs[end].Priority == srvs[start].Priority {
			end++
		}
		group := srvs[start:end]
		// RFC 2782: zero-weight records first, so that they have a small chance too.
		slices.SortStableFunc(group, func(a, b *net.SRV) int { return cmp.Compare(a.Weight, b.Weight) })
		for i := range group {
			total := 0
			for _, s := range group[i:] {
				total += int(s.Weight)
			}
			if total == 0 {
				break
			}
			pick, run := rand.IntN(total+1), 0
			for j := i; j < len(group); j++ {
				run += int(group[j].Weight)
				if run >= pick {
					group[i], group[j] = group[j], group[i]
					break
				}
			}
		}
		start = end
	}
}

// LookupMX looks up the MX records of name with res_nsearch(3) and returns them sorted by
// preference, records of equal preference in random order (as net.Resolver does). As in
// net, a host that is neither a valid domain name nor an IP address is left out, and then
// returned with an error. Differences from net.Resolver.LookupMX: those of LookupSRV.
func (r *Resolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, _, err := search(ctx, name, dnsmessage.TypeMX)
	if err != nil {
		return nil, err
	}
	mxs := make([]*net.MX, 0, len(rrs))
	dropped := false
	for _, rr := range rrs {
		m := rr.Body.(*dnsmessage.MXResource)
		host := m.MX.String()
		if !validName(host) {
			ip, err := parseAddr(strings.TrimSuffix(host, "."))
			if err != nil || ip.Zone() != "" {
				dropped = true
				continue
			}
		}
		mxs = append(mxs, &net.MX{Host: host, Pref: m.Pref})
	}
	rand.Shuffle(len(mxs), func(i, j int) { mxs[i], mxs[j] = mxs[j], mxs[i] })
	slices.SortStableFunc(mxs, func(a, b *net.MX) int { return cmp.Compare(a.Pref, b.Pref) })
	if dropped {
		return mxs, &net.DNSError{Err: errMalformed, Name: name}
	}
	return mxs, nil
}

// LookupNS looks up the NS records of name with res_nsearch(3) and returns them in the
// reply's order. As in net, names that are not valid domain names are left out, and then
// returned with an error. Differences from net.Resolver.LookupNS: those of LookupSRV.
func (r *Resolver) LookupNS(ctx context.Context, name string) ([]*net.NS, error) {
	rrs, _, err := search(ctx, name, dnsmessage.TypeNS)
	if err != nil {
		return nil, err
	}
	nss := make([]*net.NS, 0, len(rrs))
	dropped := false
	for _, rr := range rrs {
		host := rr.Body.(*dnsmessage.NSResource).NS.String()
		if !validName(host) {
			dropped = true
			continue
		}
		nss = append(nss, &net.NS{Host: host})
	}
	if dropped {
		return nss, &net.DNSError{Err: errMalformed, Name: name}
	}
	return nss, nil
}

// LookupTXT looks up the TXT records of name with res_nsearch(3) and returns them in the
// reply's order, the strings of one record joined without a separator (as net.Resolver
// does). Differences from net.Resolver.LookupTXT: those of LookupSRV.
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, _, err := search(ctx, name, dnsmessage.TypeTXT)
	if err != nil {
		return nil, err
	}
	txts := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		txts = append(txts, strings.Join(rr.Body.(*dnsmessage.TXTResource).TXT, ""))
	}
	return txts, nil
}
