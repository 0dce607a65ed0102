package audit

import (
	"bytes"
	"encoding/json"
	"time"
)

// Columns are the fields a store copies out of an entry's bytes to find
// entries by. A changed column would hide an entry from a search (who saw
// this record?) while its bytes still verify, so Verify compares them too.
type Columns struct {
	Time   time.Time
	Actor  string
	Action Action
	Record string
	Agency string
}

// changedColumn names the first column that differs from the entry's bytes,
// or returns "" when all agree. It reads the canonical JSON in place rather
// than decoding it: Verify calls it for every entry of a long log, and a
// full decode would cost as much as the rest of the verification.
func changedColumn(body []byte, c Columns) string {
	var at, actor, action, record, agency []byte
	ok := scanObject(body, func(key, raw []byte) {
		switch string(key) {
		case "time":
			at = raw
		case "actor":
			actor = raw
		case "action":
			action = raw
		case "record":
			record = raw
		case "agency":
			agency = raw
		}
	})
	if !ok {
		return "every"
	}
	var t time.Time
	if s, ok := jsonString(at); !ok || t.UnmarshalText([]byte(s)) != nil || !t.Equal(c.Time) {
		return "time"
	}
	for _, f := range [...]struct {
		name string
		raw  []byte
		want string
	}{{"actor", actor, c.Actor}, {"action", action, string(c.Action)}, {"record", record, c.Record}, {"agency", agency, c.Agency}} {
		if s, ok := jsonString(f.raw); !ok || s != f.want {
			return f.name
		}
	}
	return ""
}

// jsonString reads a JSON string token; an absent one (nil) is the empty
// string, as Encode leaves empty fields out.
func jsonString(raw []byte) (string, bool) {
	if raw == nil {
		return "", true
	}
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

// scanObject calls member with the key and the raw value of each member of
// the JSON object body, whose keys hold no escapes (as Encode writes them).
// It reports whether body is such an object; nested values are skipped.
func scanObject(body []byte, member func(key, raw []byte)) bool {
	if len(body) < 2 || body[0] != '{' {
		return false
	}
	i := 1
	if body[i] == '}' {
		return i == len(body)-1
	}
	for {
		end, ok := skipString(body, i)
		if !ok || end >= len(body) || body[end] != ':' {
			return false
		}
		key := body[i+1 : end-1]
		start := end + 1
		if end, ok = skipValue(body, start); !ok || end >= len(body) {
			return false
		}
		member(key, body[start:end])
		switch body[end] {
		case ',':
			i = end + 1
		case '}':
			return end == len(body)-1
		default:
			return false
		}
	}
}

// skipString returns the index just past the JSON string starting at i.
func skipString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// skipValue returns the index just past the JSON value starting at i.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '[', '{':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '[', '{':
				depth++
			case ']', '}':
				if depth--; depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default:
		for j := i; j < len(b); j++ {
			if b[j] == ',' || b[j] == '}' || b[j] == ']' {
				return j, j > i
			}
		}
		return 0, false
	}
}
