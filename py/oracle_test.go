package py

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os/exec"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// jv is a Python value tagged for the JSON trip to testdata/oracle.py.
type jv struct {
	T string `json:"t"`
	V any    `json:"v,omitempty"`
}

// tag encodes a Go value held by the package's conventions as a jv.
func tag(v any) jv {
	switch x := v.(type) {
	case nil:
		return jv{T: "none"}
	case bool:
		return jv{T: "bool", V: x}
	case float64:
		return jv{T: "float", V: fmt.Sprintf("%016x", math.Float64bits(x))}
	case string:
		cps := []int{}
		for _, r := range Runes(x) {
			cps = append(cps, int(r))
		}
		return jv{T: "str", V: cps}
	case []byte:
		bs := []int{}
		for _, c := range x {
			bs = append(bs, int(c))
		}
		return jv{T: "bytes", V: bs}
	case Tuple:
		items := []jv{}
		for _, it := range x {
			items = append(items, tag(it))
		}
		return jv{T: "tuple", V: items}
	case List:
		items := []jv{}
		for _, it := range x {
			items = append(items, tag(it))
		}
		return jv{T: "list", V: items}
	}
	if i, ok := AsInt(v); ok {
		return jv{T: "int", V: i.String()}
	}
	panic(fmt.Sprintf("tag: %T", v))
}

type oracleCase struct {
	Op string `json:"op"`
	V  jv     `json:"v"`
}

type oracleAnswer struct {
	OK  json.RawMessage `json:"ok"`
	Exc *string         `json:"exc"`
}

// The differential tests of the package share one python3 process: each
// registers its cases in oracleSections, and the first test to ask sends
// them all at once (python3 takes seconds to start on slow machines).
var oracleSections = map[string]func() []oracleCase{}

var (
	oracleOnce    sync.Once
	oracleAnswers map[string][]oracleAnswer
	oracleErr     error
	oracleMissing bool
)

func runOracle() {
	py, err := exec.LookPath("python3")
	if err != nil {
		oracleMissing = true
		return
	}
	names := make([]string, 0, len(oracleSections))
	for name := range oracleSections {
		names = append(names, name)
	}
	sort.Strings(names)
	var all []oracleCase
	counts := map[string]int{}
	for _, name := range names {
		cs := oracleSections[name]()
		counts[name] = len(cs)
		all = append(all, cs...)
	}
	in, err := json.Marshal(all)
	if err != nil {
		oracleErr = err
		return
	}
	cmd := exec.Command(py, "testdata/oracle.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		oracleErr = fmt.Errorf("oracle failed: %v: %s", err, stderr.String())
		return
	}
	var answers []oracleAnswer
	if err := json.Unmarshal(out, &answers); err != nil {
		oracleErr = err
		return
	}
	if len(answers) != len(all) {
		oracleErr = fmt.Errorf("oracle gave %d answers for %d cases", len(answers), len(all))
		return
	}
	oracleAnswers = map[string][]oracleAnswer{}
	for _, name := range names {
		oracleAnswers[name], answers = answers[:counts[name]], answers[counts[name]:]
	}
}

// askPython returns CPython's answers to the cases of a section (in the
// order its generator gave them). It skips the test when python3 is absent.
func askPython(t *testing.T, section string) []oracleAnswer {
	t.Helper()
	oracleOnce.Do(runOracle)
	if oracleMissing {
		t.Skip("python3 not found: differential test skipped")
	}
	require.NoError(t, oracleErr)
	return oracleAnswers[section]
}

func bigInt(s string) *big.Int {
	i, ok := new(big.Int).SetString(s, 0)
	if !ok {
		panic(s)
	}
	return i
}
