package pyio

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/csock/csock/py"
)

// The codecs compared with CPython's codecs module: incremental decoding (split at
// every position, the last piece final) and encoding, under every error handler.

var codecInputs = []string{
	"", "abc", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2",
	"\xc2\x41", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xe0\xa0", "\xe0\xa0\x41", "\xed\x9f\xbf", "\xed\xa0\x80",
	"\xed\xbf\xbf", "\xed\xa0", "\xed\xb2\x80x", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x80\x80\x80",
	"\xf0\x8f\xbf\xbf", "\xf0\x90\x80", "\xf0\x90\x80\x41", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80",
	"\xf5\x80\x80\x80", "\xff", "\xfe\xff", "a\xf0\x90", "\xe2\x82", "\xe2", "x\xc3(\xe9\xa0y\xed\xa0\x80\xed\xbf",
	"\x00\x7f\x80\xff", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3",
}

var codecHandlers = []string{"strict", "replace", "ignore", "surrogateescape", "backslashreplace",
	"surrogatepass", "xmlcharrefreplace", "namereplace", "bogus"}

var codecDecodeCases = func() []string {
	var names []string
	for i, in := range codecInputs {
		for _, enc := range []string{"utf-8", "latin-1", "ascii"} {
			for _, errs := range codecHandlers {
				splits := [][]int{nil}
				if enc == "utf-8" {
					for k := 1; k < len(in); k++ {
						splits = append(splits, []int{k})
					}
				}
				for _, split := range splits {
					h := hex.EncodeToString([]byte(in))
					names = append(names, addCodecCase(codecCase{
						Name:     fmt.Sprintf("decode %d %s %s %v", i, enc, errs, split),
						Encoding: enc, Errors: errs, Bytes: &h, Split: split,
					}))
				}
			}
		}
	}
	return names
}()

func TestTextCodec_DecodesLikeCPython(t *testing.T) {
	results := runOracle(t).Codecs
	for _, name := range codecDecodeCases {
		c := codecCases[name]
		codec, err := lookupTextEncoding(c.Encoding)
		require.NoError(t, err)
		d := newTextDecoder(codec, c.Errors, false, false)
		data, err := hex.DecodeString(*c.Bytes)
		require.NoError(t, err)
		cuts := append(append([]int{0}, c.Split...), len(data))
		var got []string
		for i := 0; i+1 < len(cuts); i++ {
			out, err := d.decode(data[cuts[i]:cuts[i+1]], i+2 == len(cuts))
			got = append(got, rRepr(py.StrRepr(string(out)), err))
		}
		assert.Equal(t, results[name], got, "%s: %q", name, data)
	}
}

var codecTexts = [][]rune{
	{}, []rune("plain"), []rune("é"), []rune("€"), []rune("😀"), []rune("aé€😀"), {0xD800}, {0xDC80},
	{0xDCFF}, {'a', 0xDC80, 0xDCFF, 'b'}, {0xDC80, 0xD800, 0xDCFF}, {0xDBFF, 0xDFFF}, {'x', 0xD800, 0xDC00, 'é'},
	{0xDCE9, 0xE9}, []rune("ÿĀ"), {0x7F, 0x80, 0xFF, 0x100}, {0xE9, 0xDCE9, 0xD800},
}

var codecEncodeCases = func() []string {
	var names []string
	for i, text := range codecTexts {
		for _, enc := range []string{"utf-8", "latin-1", "ascii"} {
			for _, errs := range codecHandlers {
				if errs == "namereplace" && enc != "utf-8" {
					continue // no Unicode name table: TestTextFile_NameReplaceNamesOnlySurrogates
				}
				names = append(names, addCodecCase(codecCase{
					Name: fmt.Sprintf("encode %d %s %s", i, enc, errs), Encoding: enc, Errors: errs, Text: text,
				}))
			}
		}
	}
	return names
}()

func TestTextCodec_EncodesLikeCPython(t *testing.T) {
	results := runOracle(t).Codecs
	for _, name := range codecEncodeCases {
		c := codecCases[name]
		codec, err := lookupTextEncoding(c.Encoding)
		require.NoError(t, err)
		out, err := encodeText(codec, c.Errors, []byte(py.FromRunes(c.Text)))
		assert.Equal(t, results[name], []string{rRepr(py.BytesRepr(out), err)}, "%s: %U", name, c.Text)
	}
}

func TestTextCodec_StrayBytesAreSurrogateEscapes(t *testing.T) {
	// A Go string's stray byte b reads as U+DC00+b, as package py has it: surrogateescape
	// writes it back as the byte, strict refuses it as CPython refuses the surrogate.
	out, err := encodeText(codecUTF8, "surrogateescape", []byte("a\xffb"))
	require.NoError(t, err)
	assert.Equal(t, []byte("a\xffb"), out)
	_, err = encodeText(codecUTF8, "strict", []byte("a\xffb"))
	assert.EqualError(t, err, `'utf-8' codec can't encode character '\udcff' in position 1: surrogates not allowed`)
	assert.Equal(t, 3, pyLen([]byte("a\xffb")))
}
