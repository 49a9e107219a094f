package drf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/examhall/examhall/decimal"
)

// The field messages of DRF's serializer fields, worded as DRF words them.
const (
	NullCharacterMessage = "Null characters are not allowed." // CharField's ProhibitNullCharactersValidator
	InvalidStringMessage = "Not a valid string."
	InvalidBoolMessage   = "Must be a valid boolean."
	InvalidIntMessage    = "A valid integer is required."
	InvalidNumberMessage = "A valid number is required." // FloatField and DecimalField
	NullMessage          = "This field may not be null."
	// DuplicateKeyMessage and UnknownFieldMessage have no DRF counterpart
	// (Python's json keeps a key's last value; DRF ignores fields it does not
	// know); examhall refuses both.
	DuplicateKeyMessage = "This key appears more than once in its object."
	UnknownFieldMessage = "Unknown field."
	// InvalidUTF8Message is for text outside JSON (forms, queries) that is
	// not UTF-8; DRF's parsers fail on it with a decoding error.
	InvalidUTF8Message = "Not valid UTF-8 text."
)

// MaxJSONDepth is how deeply JSON bodies may nest objects and lists: the
// bundle, the deepest document examhall reads, nests 9 levels. It bounds
// the work and the stack a hostile body can cost.
const MaxJSONDepth = 64

// ErrNullCharacter and ErrInvalidUTF8 are the errors of CheckText.
var (
	ErrNullCharacter = errors.New("drf: text holds a null character")
	ErrInvalidUTF8   = errors.New("drf: text is not valid UTF-8")
)

// CheckText returns ErrInvalidUTF8 or ErrNullCharacter for text that no
// engine stores as it was sent: PostgreSQL's text refuses both, and SQLite
// would keep bytes that PostgreSQL then cannot. Every text input is checked
// at the edge (SPEC §2: UTF-8 bodies; never a 500 for bad input).
func CheckText(s string) error {
	switch {
	case !utf8.ValidString(s):
		return ErrInvalidUTF8
	case strings.IndexByte(s, 0) >= 0:
		return ErrNullCharacter
	}
	return nil
}

// TextMessage is the field message for an error of CheckText.
func TextMessage(err error) string {
	if errors.Is(err, ErrNullCharacter) {
		return NullCharacterMessage
	}
	return InvalidUTF8Message
}

// Path locates a value in a JSON document: object keys (string) and list
// indexes (int), from the outside in.
type Path []any

// String renders p as a field error key: keys joined by dots, indexes in
// brackets ("sections[1].questions[0].marks"), an empty key as `""`; the
// empty path (the document itself) is DRF's "non_field_errors".
func (p Path) String() string {
	return p.Label(nil, nil)
}

// Label renders p as String does, and after each list index writes what
// label returns for that element of root (the decoded document): the bundle
// names its records this way (`exams[0] "mock-1".sections[0]`). An element
// that root does not hold gets no label.
func (p Path) Label(root any, label func(elem any) string) string {
	if len(p) == 0 {
		return "non_field_errors"
	}
	v := reflect.ValueOf(root)
	var b strings.Builder
	for i, el := range p {
		for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
			v = v.Elem()
		}
		switch el := el.(type) {
		case string:
			if i > 0 {
				b.WriteByte('.')
			}
			if el == "" {
				el = `""` // a key "" still gets a field name
			}
			b.WriteString(el)
			v = fieldNamed(v, el)
		case int:
			fmt.Fprintf(&b, "[%d]", el)
			if v.IsValid() && v.Kind() == reflect.Slice && el < v.Len() {
				v = v.Index(el)
				if label != nil {
					b.WriteString(label(v.Interface()))
				}
			} else {
				v = reflect.Value{}
			}
		}
	}
	return b.String()
}

// ParsePath reads a key that String wrote ("sections[1].questions[0].marks").
func ParsePath(key string) Path {
	var p Path
	for _, part := range strings.Split(key, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			p = append(p, name)
		}
		for rest != "" {
			index, after, _ := strings.Cut(rest, "]")
			if n, err := strconv.Atoi(index); err == nil {
				p = append(p, n)
			} else {
				p = append(p, "["+index+"]")
			}
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return p
}

// JSONSyntaxError is a body that is not exactly one JSON value followed by
// whitespace: a syntax error, invalid UTF-8, nesting deeper than
// MaxJSONDepth, or data after the value.
type JSONSyntaxError struct {
	Offset  int64  // the byte of the body where reading stopped
	Problem string // e.g. "invalid JSON at byte 12."
}

func (e *JSONSyntaxError) Error() string { return "JSON parse error - " + e.Problem }

// FieldError is the problem of one value of a JSON document.
type FieldError struct {
	Path    Path
	Message string // DRF's words, e.g. "A valid number is required."
}

// FieldErrors is every field problem of a JSON document, in document order.
type FieldErrors []FieldError

func (l FieldErrors) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Path.String() + ": " + e.Message
	}
	return "drf: " + strings.Join(parts, "; ")
}

// DecodeJSON reads body, which must be exactly one JSON value followed only
// by whitespace, into v (a non-nil pointer), checking it as DRF's serializer
// fields would and more strictly: object keys match struct fields' json
// names exactly and unknown ones are refused, a key may appear once per
// object, strings hold no NUL (encoded as \u0000 or not), and a JSON number
// is accepted where a string is expected (DRF's CharField takes numbers).
// A null leaves a non-pointer field as it is, except a field with its own
// UnmarshalJSON (a decimal), which refuses it.
//
// Supported targets: structs, pointers, slices, strings, bools, integers,
// floats, any (decoded as map[string]any, []any, string, json.Number, bool
// or nil), json.RawMessage and types implementing json.Unmarshaler
// (decimal.Decimal's errors get DRF's messages).
//
// Returns a *JSONSyntaxError when the body is not one JSON value (nothing is
// decoded reliably then), else FieldErrors with every field problem at once
// (v holds what did decode), else nil. Any other error is a programming
// error: a target of a type it does not support.
func DecodeJSON(body []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("drf: DecodeJSON needs a non-nil pointer, not %T", v)
	}
	if !utf8.Valid(body) {
		at := invalidUTF8At(body)
		return &JSONSyntaxError{Offset: int64(at), Problem: fmt.Sprintf("invalid UTF-8 at byte %d.", at)}
	}
	d := &jsonDecoder{dec: json.NewDecoder(bytes.NewReader(body))}
	d.dec.UseNumber()
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	end := d.dec.InputOffset()
	if rest := bytes.TrimLeft(body[end:], " \t\r\n"); len(rest) > 0 {
		at := len(body) - len(rest)
		return &JSONSyntaxError{Offset: int64(at), Problem: fmt.Sprintf("extra data after the JSON value at byte %d.", at)}
	}
	if len(d.errs) > 0 {
		return d.errs
	}
	return nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// jsonDecoder walks the tokens of one document into a value, keeping the
// path of the value it is in for its field errors.
type jsonDecoder struct {
	dec   *json.Decoder
	path  Path
	depth int
	errs  FieldErrors
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

func (d *jsonDecoder) fail(msg string) {
	d.errs = append(d.errs, FieldError{Path: append(Path(nil), d.path...), Message: msg})
}

// token reads the next token; a syntax error ends the decoding.
func (d *jsonDecoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err == nil {
		return tok, nil
	}
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return nil, &JSONSyntaxError{Offset: syntax.Offset, Problem: fmt.Sprintf("invalid JSON at byte %d.", syntax.Offset)}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &JSONSyntaxError{Offset: d.dec.InputOffset(), Problem: "the body ends before the JSON value does."}
	default:
		return nil, &JSONSyntaxError{Offset: d.dec.InputOffset(), Problem: "invalid JSON."}
	}
}

func (d *jsonDecoder) value(v reflect.Value) error {
	tok, err := d.token()
	if err != nil {
		return err
	}
	return d.valueFrom(tok, v)
}

// valueFrom decodes the value that starts with tok into v.
func (d *jsonDecoder) valueFrom(tok json.Token, v reflect.Value) error {
	t := v.Type()
	if t == rawMessageType {
		raw, err := d.raw(tok)
		if err == nil {
			v.SetBytes(raw)
		}
		return err
	}
	if tok == nil {
		switch {
		case t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Interface:
			v.SetZero()
		case reflect.PointerTo(t).Implements(unmarshalerType):
			d.fail(NullMessage)
		}
		return nil
	}
	if t.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return d.valueFrom(tok, v.Elem())
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		raw, err := d.raw(tok)
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			d.fail(unmarshalMessage(err))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return fmt.Errorf("drf: cannot decode JSON into %s", t)
		}
		x, err := d.generic(tok)
		if err == nil && x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return err
	case reflect.String:
		switch tok := tok.(type) {
		case string:
			if d.text(tok) {
				v.SetString(tok)
			}
			return nil
		case json.Number:
			v.SetString(tok.String())
			return nil
		}
		return d.mismatch(tok, InvalidStringMessage)
	case reflect.Bool:
		if b, ok := tok.(bool); ok {
			v.SetBool(b)
			return nil
		}
		return d.mismatch(tok, InvalidBoolMessage)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := tok.(json.Number); ok {
			i, err := parseInt(n.String())
			if err != nil || v.OverflowInt(i) {
				d.fail(InvalidIntMessage)
				return nil
			}
			v.SetInt(i)
			return nil
		}
		return d.mismatch(tok, InvalidIntMessage)
	case reflect.Float32, reflect.Float64:
		if n, ok := tok.(json.Number); ok {
			f, err := strconv.ParseFloat(n.String(), t.Bits())
			if err != nil {
				d.fail(InvalidNumberMessage)
				return nil
			}
			v.SetFloat(f)
			return nil
		}
		return d.mismatch(tok, InvalidNumberMessage)
	case reflect.Slice:
		if tok != json.Delim('[') {
			return d.mismatch(tok, fmt.Sprintf("Expected a list of items but got type %q.", PythonType(tok)))
		}
		if err := d.enter(); err != nil {
			return err
		}
		v.Set(reflect.MakeSlice(t, 0, 0))
		for i := 0; d.dec.More(); i++ {
			v.Set(reflect.Append(v, reflect.Zero(t.Elem())))
			d.path = append(d.path, i)
			err := d.value(v.Index(i))
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return err
			}
		}
		return d.leave()
	case reflect.Struct:
		if tok != json.Delim('{') {
			return d.mismatch(tok, fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", PythonType(tok)))
		}
		fields := fieldsOf(t)
		return d.object(func(key string) error {
			index, ok := fields[key]
			if !ok {
				d.fail(UnknownFieldMessage)
				return d.skip()
			}
			f, err := v.FieldByIndexErr(index)
			if err != nil { // a field promoted through a nil embedded pointer
				return fmt.Errorf("drf: cannot decode JSON into %s.%s: %w", t, key, err)
			}
			return d.value(f)
		})
	}
	return fmt.Errorf("drf: cannot decode JSON into %s", t)
}

// parseInt reads a JSON number as DRF's IntegerField does: 4 and 4.0 are 4,
// 4.5 and 4e0 are no integer.
func parseInt(n string) (int64, error) {
	if whole, frac, ok := strings.Cut(n, "."); ok && strings.Trim(frac, "0") == "" {
		n = whole
	}
	return strconv.ParseInt(n, 10, 64)
}

// object reads the members of an object whose "{" was read, handing each
// key that is text and new to member with the path at the key.
func (d *jsonDecoder) object(member func(key string) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for d.dec.More() {
		tok, err := d.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // the decoder gives only strings here
		d.path = append(d.path, key)
		switch {
		case !d.text(key) || seen[key]:
			if seen[key] {
				d.fail(DuplicateKeyMessage)
			}
			err = d.skip()
		default:
			seen[key] = true
			err = member(key)
		}
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	return d.leave()
}

// text refuses a string holding NUL, which no engine stores (the body is
// valid UTF-8 already).
func (d *jsonDecoder) text(s string) bool {
	if strings.IndexByte(s, 0) >= 0 {
		d.fail(NullCharacterMessage)
		return false
	}
	return true
}

func (d *jsonDecoder) enter() error {
	d.depth++
	if d.depth > MaxJSONDepth {
		return d.tooDeep()
	}
	return nil
}

func (d *jsonDecoder) tooDeep() error {
	return &JSONSyntaxError{Offset: d.dec.InputOffset(), Problem: fmt.Sprintf("the JSON value nests deeper than %d levels.", MaxJSONDepth)}
}

// leave reads the "]" or "}" that ends a list or object.
func (d *jsonDecoder) leave() error {
	d.depth--
	_, err := d.token()
	return err
}

// mismatch records msg for a value of the wrong JSON type and skips the
// rest of it.
func (d *jsonDecoder) mismatch(tok json.Token, msg string) error {
	d.fail(msg)
	return d.skipFrom(tok)
}

// skip reads past the next value, checking only its syntax.
func (d *jsonDecoder) skip() error {
	tok, err := d.token()
	if err != nil {
		return err
	}
	return d.skipFrom(tok)
}

func (d *jsonDecoder) skipFrom(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	if d.depth+1 > MaxJSONDepth {
		return d.tooDeep()
	}
	for open := 1; open > 0; {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			open++
			if d.depth+open > MaxJSONDepth {
				return d.tooDeep()
			}
		case json.Delim('}'), json.Delim(']'):
			open--
		}
	}
	return nil
}

// generic decodes the value that starts with tok as map[string]any, []any,
// string, json.Number, bool or nil.
func (d *jsonDecoder) generic(tok json.Token) (any, error) {
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		err := d.object(func(key string) error {
			tok, err := d.token()
			if err != nil {
				return err
			}
			m[key], err = d.generic(tok)
			return err
		})
		return m, err
	case json.Delim('['):
		if err := d.enter(); err != nil {
			return nil, err
		}
		list := []any{}
		for i := 0; d.dec.More(); i++ {
			tok, err := d.token()
			if err != nil {
				return nil, err
			}
			d.path = append(d.path, i)
			x, err := d.generic(tok)
			d.path = d.path[:len(d.path)-1]
			if err != nil {
				return nil, err
			}
			list = append(list, x)
		}
		return list, d.leave()
	}
	if s, ok := tok.(string); ok {
		d.text(s)
	}
	return tok, nil
}

// raw re-encodes the value that starts with tok as JSON text, checked as
// generic checks it, for json.RawMessage and json.Unmarshaler targets.
func (d *jsonDecoder) raw(tok json.Token) ([]byte, error) {
	x, err := d.generic(tok)
	if err != nil {
		return nil, err
	}
	return json.Marshal(x)
}

// Invalid is the refusal of a json.Unmarshaler worded as a field message:
// DecodeJSON reports it as it is.
type Invalid string

func (e Invalid) Error() string { return string(e) }

// unmarshalMessage words the error of a json.Unmarshaler in DRF's terms.
func unmarshalMessage(err error) string {
	var invalid Invalid
	switch {
	case errors.As(err, &invalid):
		return string(invalid)
	case errors.Is(err, decimal.ErrPlaces):
		return "Ensure that there are no more than 2 decimal places."
	case errors.Is(err, decimal.ErrRange):
		return fmt.Sprintf("Ensure that there are no more than %d digits before the decimal point.", decimal.MaxWholeDigits)
	default: // decimal.ErrSyntax, or JSON that is not a string or number
		return InvalidNumberMessage
	}
}

// PythonType names the type of a JSON value as DRF's messages do ("dict",
// "list", "str", "int", "float", "bool", "NoneType"): a value decoded with
// UseNumber, or the json.Token that starts one.
func PythonType(v any) string {
	switch v := v.(type) {
	case json.Delim:
		if v == '{' {
			return "dict"
		}
		return "list"
	case map[string]any:
		return "dict"
	case []any:
		return "list"
	case string:
		return "str"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "float"
		}
		return "int"
	case bool:
		return "bool"
	default:
		return "NoneType"
	}
}

var fieldCache sync.Map // reflect.Type → map[string][]int

// fieldsOf maps the JSON names of t's fields (embedded structs' too) to
// their indexes, as encoding/json names them but matched exactly.
func fieldsOf(t reflect.Type) map[string][]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string][]int)
	}
	fields := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "") {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		if _, dup := fields[name]; !dup || len(f.Index) == 1 {
			fields[name] = f.Index
		}
	}
	fieldCache.Store(t, fields)
	return fields
}

// fieldNamed is the field of struct v with the JSON name, or the zero Value.
func fieldNamed(v reflect.Value, name string) reflect.Value {
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	index, ok := fieldsOf(v.Type())[name]
	if !ok {
		return reflect.Value{}
	}
	f, err := v.FieldByIndexErr(index)
	if err != nil {
		return reflect.Value{}
	}
	return f
}
