package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Load reads, decodes and validates the configuration file at path. Problems
// in the file come back as Errors (without the file name); a file that
// cannot be read comes back as the os error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(data)
}

// parse decodes a configuration file onto the defaults and validates it.
func parse(data []byte) (*Config, error) {
	// Decoding into a generic map first, then onto the struct ourselves, lets
	// the errors name array elements ("lines[2].colour"), which the TOML
	// library's own struct decoding cannot.
	var doc map[string]any
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		return nil, Errors{syntaxError(err)}
	}
	c := Default()
	var errs Errors
	decodeStruct("", doc, reflect.ValueOf(c).Elem(), &errs)
	if verrs, ok := c.Validate().(Errors); ok {
		for _, e := range verrs {
			// A value of the wrong type left the default in place; saying
			// more about that key, or what is inside it, would be noise.
			if !slices.ContainsFunc(errs, func(d *Error) bool { return within(e.Key, d.Key) }) {
				errs = append(errs, e)
			}
		}
	}
	if len(errs) == 0 {
		return c, nil
	}
	sortByFileOrder(errs, md)
	return nil, errs
}

func syntaxError(err error) *Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{Msg: fmt.Sprintf("line %d, column %d: %s", pe.Position.Line, pe.Position.Col, pe.Message)}
	}
	return &Error{Msg: err.Error()}
}

// decodeStruct sets the fields of dst (a struct) from the TOML table tab.
func decodeStruct(path string, tab map[string]any, dst reflect.Value, errs *Errors) {
	t := dst.Type()
	for _, k := range slices.Sorted(maps.Keys(tab)) {
		key := joinKey(path, k)
		f, ok := fieldByTag(t, k)
		if !ok {
			*errs = append(*errs, &Error{Key: key, Msg: "unknown key"})
			continue
		}
		decodeValue(key, tab[k], dst.FieldByIndex(f.Index), errs)
	}
}

// decodeValue sets dst from the TOML value v, which the TOML library gives as
// string, int64, float64, bool, time.Time, []any, []map[string]any or
// map[string]any.
func decodeValue(key string, v any, dst reflect.Value, errs *Errors) {
	mismatch := func(want string) {
		msg := fmt.Sprintf("want %s, not %s", want, tomlType(v))
		if _, isInt := v.(int64); isInt && dst.Kind() == reflect.String {
			msg += fmt.Sprintf(" (quote it: \"%d\")", v)
		}
		*errs = append(*errs, &Error{Key: key, Msg: msg})
	}
	switch dst.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			mismatch("a string")
			return
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			mismatch("a boolean (true or false)")
			return
		}
		dst.SetBool(b)
	case reflect.Int:
		n, ok := v.(int64)
		if !ok {
			mismatch("an integer")
			return
		}
		if dst.OverflowInt(n) { // int is 32 bits on 32-bit ARM
			*errs = append(*errs, &Error{Key: key, Msg: fmt.Sprintf("%d is too large", n)})
			return
		}
		dst.SetInt(n)
	case reflect.Struct:
		tab, ok := v.(map[string]any)
		if !ok {
			mismatch("a table")
			return
		}
		decodeStruct(key, tab, dst, errs)
	case reflect.Slice:
		elems, ok := asArray(v)
		if !ok {
			mismatch("an array")
			return
		}
		// An array in the file replaces the default one entirely.
		s := reflect.Zero(dst.Type())
		if len(elems) > 0 {
			s = reflect.MakeSlice(dst.Type(), len(elems), len(elems))
			for i, e := range elems {
				el := s.Index(i)
				el.Set(newElem(el.Type()))
				decodeValue(fmt.Sprintf("%s[%d]", key, i), e, el, errs)
			}
		}
		dst.Set(s)
	default:
		panic("config: no decoding for " + dst.Type().String())
	}
}

// newElem returns what a new array element of type t starts from.
func newElem(t reflect.Type) reflect.Value {
	el := reflect.New(t).Elem()
	switch p := el.Addr().Interface().(type) {
	case *Account:
		*p = defaultAccount()
	case *Line:
		*p = newLine()
	case *Rewrite:
		p.Direction = "out"
	}
	return el
}

func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case []map[string]any:
		elems := make([]any, len(a))
		for i, m := range a {
			elems[i] = m
		}
		return elems, true
	}
	return nil, false
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case int64:
		return fmt.Sprintf("an integer (%d)", v)
	case float64:
		return fmt.Sprintf("a float (%v)", v)
	case bool:
		return fmt.Sprintf("a boolean (%v)", v)
	case time.Time:
		return "a date-time"
	case map[string]any:
		return "a table"
	}
	return "an array"
}

func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("toml") == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// within reports whether key is path or inside it.
func within(key, path string) bool {
	rest, ok := strings.CutPrefix(key, path)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
}

func joinKey(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// sortByFileOrder puts errs in the order their keys appear in the file. A key
// that is not in the file (a missing value) sorts after the other keys of its
// closest enclosing table that is; keys with nothing in the file go last.
func sortByFileOrder(errs Errors, md toml.MetaData) {
	first, last := keyOrder(md)
	rank := func(key string) int {
		if r, ok := first[key]; ok {
			return 2 * r
		}
		for {
			i := strings.LastIndexAny(key, ".[")
			if i < 0 {
				return 2 * len(first)
			}
			key = key[:i]
			if r, ok := last[key]; ok {
				return 2*r + 1
			}
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return rank(errs[i].Key) < rank(errs[j].Key) })
}

// keyOrder numbers the key paths of the file in the order they appear, with
// the indices of [[array tables]] filled in ("lines[1].id"): first has the
// number of each path, last the number of the last key at or under it. The
// elements of inline arrays of tables are not told apart: their keys are
// known only without an index.
func keyOrder(md toml.MetaData) (first, last map[string]int) {
	first = make(map[string]int)
	last = make(map[string]int)
	headers := make(map[string]int) // [[x]] headers seen so far, by indexed path of x
	for n, k := range md.Keys() {
		var b strings.Builder
		for i, part := range k {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(part)
			if md.Type(k[:i+1]...) == "ArrayHash" {
				if i == len(k)-1 {
					headers[b.String()]++
				}
				fmt.Fprintf(&b, "[%d]", headers[b.String()]-1)
			}
			// Implicit tables ("a" of [a.b]) are not keys of their own.
			p := b.String()
			if _, ok := first[p]; !ok {
				first[p] = n
			}
			last[p] = n
		}
	}
	return first, last
}
