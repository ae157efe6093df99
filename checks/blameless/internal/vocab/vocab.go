// Package vocab holds what the blameless analyzer's word vectors share
// between their generator (internal/vecgen), the training (the package's
// tests) and the analyzer: how a text splits into the words looked up, and
// the file format of quantised vectors.
package vocab

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"unicode"
	"unicode/utf8"
)

// CacheDir is where internal/vecgen keeps the npm package and writes the
// vectors (BLAMELESS_VECTORS_CACHE, else the user cache directory's
// postmortem-vectors).
func CacheDir() string {
	if d := os.Getenv("BLAMELESS_VECTORS_CACHE"); d != "" {
		return d
	}
	uc, err := os.UserCacheDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "postmortem-vectors")
	}
	return filepath.Join(uc, "postmortem-vectors")
}

// Words calls fn with each word of text looked up in the vectors: the runs
// of letters and apostrophes, lower-cased, with ’ written '; a run that
// starts or ends with an apostrophe loses it ("'quoted'" is quoted).
func Words(text string, fn func(w string)) {
	var buf [64]byte
	b := buf[:0]
	flush := func() {
		for len(b) > 0 && b[len(b)-1] == '\'' {
			b = b[:len(b)-1]
		}
		if len(b) > 0 {
			fn(string(b))
		}
		b = buf[:0]
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r):
			b = utf8.AppendRune(b, unicode.ToLower(r))
		case (r == '\'' || r == '’') && len(b) > 0:
			b = append(b, '\'')
		default:
			flush()
		}
	}
	flush()
}

// Dims is the vectors' dimension.
const Dims = 100

const magic = "PMVEC1\n"

// Vector is one word's unit vector, quantised: component k is Scale·Q[k].
type Vector struct {
	Word  string
	Scale float32
	Q     [Dims]int8
}

// Quantise makes v (any length-Dims vector) a unit vector and quantises it.
func Quantise(word string, v []float64) Vector {
	n := 0.0
	for _, x := range v {
		n += x * x
	}
	n = math.Sqrt(n)
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x/n))
	}
	out := Vector{Word: word, Scale: float32(m / 127)}
	for k, x := range v {
		out.Q[k] = int8(math.Round(x / n / m * 127))
	}
	return out
}

// Float returns the dequantised vector.
func (v *Vector) Float() []float64 {
	out := make([]float64, Dims)
	for k, q := range v.Q {
		out[k] = float64(v.Scale) * float64(q)
	}
	return out
}

// Write writes vectors in the file format: the magic line, the count, and
// each word (length, bytes), scale and components.
func Write(w io.Writer, vs []Vector) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(magic)
	binary.Write(bw, binary.LittleEndian, uint32(len(vs)))
	for _, v := range vs {
		if len(v.Word) > 255 {
			return fmt.Errorf("vocab: word too long: %q", v.Word)
		}
		bw.WriteByte(byte(len(v.Word)))
		bw.WriteString(v.Word)
		binary.Write(bw, binary.LittleEndian, v.Scale)
		binary.Write(bw, binary.LittleEndian, v.Q)
	}
	return bw.Flush()
}

// Read reads a file Write wrote.
func Read(path string) ([]Vector, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(br, m); err != nil || string(m) != magic {
		return nil, errors.New("vocab: " + path + " is not a vectors file")
	}
	var n uint32
	if err := binary.Read(br, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	out := make([]Vector, n)
	for i := range out {
		l, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		w := make([]byte, l)
		if _, err := io.ReadFull(br, w); err != nil {
			return nil, err
		}
		out[i].Word = string(w)
		if err := binary.Read(br, binary.LittleEndian, &out[i].Scale); err != nil {
			return nil, err
		}
		if err := binary.Read(br, binary.LittleEndian, &out[i].Q); err != nil {
			return nil, err
		}
	}
	return out, nil
}
