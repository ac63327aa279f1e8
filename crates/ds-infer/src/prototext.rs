//! A small reader of the protobuf text format, as nvinferserver's config files use it.
//!
//! The format (protobuf's `TextFormat`): a message is a sequence of fields; a field is
//! `name: scalar`, `name: [scalar, ...]`, `name { message }` (or `name: { ... }`,
//! `name < ... >`) or `name [ { ... }, { ... } ]`. A field may end with `;` or `,`. Scalars
//! are numbers (`-1`, `0.0039`, `1e-3`), quoted strings (`"..."` or `'...'`, with C escapes;
//! adjacent strings are concatenated) and identifiers (enum values, `true`, `false`).
//! `#` starts a comment to the end of the line. A list (`[a, b]`) is read as the field
//! repeated once per element, as protobuf does.
//!
//! This module knows nothing about nvinferserver's schema: it returns a tree of
//! [`Field`]s, each with the line and column it starts at, and a [`SyntaxError`] with the
//! line and column of the first token it could not read. [`crate::inferserver`] maps the
//! tree onto an [`crate::InferConfig`].

use std::fmt;

/// A line and column in the text, both counted from 1 (columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What kind of token a [`Scalar`] was written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// A number (`-1`, `0.5`, `1e-3`, `0x10`).
    Number,
    /// A quoted string (escapes resolved, adjacent strings joined).
    String,
    /// An identifier: an enum value, `true`, `false`, `inf`, `nan`.
    Ident,
}

/// A scalar value as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The text: the number or identifier as written, or the string's content.
    pub text: String,
    /// How it was written.
    pub kind: ScalarKind,
    /// Where it starts.
    pub pos: Pos,
}

/// A field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `name: scalar`.
    Scalar(Scalar),
    /// `name { ... }`.
    Message(Message),
}

/// One field (one element of a list is one field).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Where the name starts.
    pub pos: Pos,
    /// Its value.
    pub value: Value,
}

/// A message: its fields in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    /// The fields, in the order written; a repeated field appears once per value.
    pub fields: Vec<Field>,
}

/// A syntax error: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the offending token (or the end of the text) is.
    pub pos: Pos,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl std::error::Error for SyntaxError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Number(String),
    Str(String),
    Punct(char),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Number(s) => format!("number {s}"),
            Tok::Str(s) => format!("string \"{s}\""),
            Tok::Punct(c) => format!("'{c}'"),
            Tok::End => "the end of the file".into(),
        }
    }
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    pos: Pos,
}

impl Lexer<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn skip_space(&mut self) {
        while let Some(&c) = self.chars.peek() {
            if c == '#' {
                while let Some(&c) = self.chars.peek() {
                    if c == '\n' {
                        break;
                    }
                    self.bump();
                }
            } else if c.is_whitespace() || c == '\u{feff}' {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn next(&mut self) -> Result<(Tok, Pos), SyntaxError> {
        self.skip_space();
        let start = self.pos;
        let Some(&c) = self.chars.peek() else {
            return Ok((Tok::End, start));
        };
        if c.is_ascii_alphabetic() || c == '_' {
            let mut s = String::new();
            while let Some(&c) = self.chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                    s.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            return Ok((Tok::Ident(s), start));
        }
        if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' {
            let mut s = String::new();
            s.push(c);
            self.bump();
            while let Some(&c) = self.chars.peek() {
                let exp_sign = (c == '-' || c == '+') && s.ends_with(['e', 'E']) && !s.starts_with("0x");
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' || exp_sign {
                    s.push(c);
                    self.bump();
                } else {
                    break;
                }
            }
            let body = s.trim_start_matches(['-', '+']);
            let ok = body.parse::<f64>().is_ok()
                || body.trim_end_matches(['f', 'F']).parse::<f64>().is_ok()
                || body.strip_prefix("0x").or(body.strip_prefix("0X")).is_some_and(|h| i64::from_str_radix(h, 16).is_ok())
                || ["inf", "infinity", "nan"].contains(&body.to_ascii_lowercase().as_str());
            if !ok {
                return Err(SyntaxError { pos: start, message: format!("'{s}' is not a number") });
            }
            return Ok((Tok::Number(s), start));
        }
        if c == '"' || c == '\'' {
            let quote = c;
            self.bump();
            let mut s = String::new();
            loop {
                match self.bump() {
                    None | Some('\n') => {
                        return Err(SyntaxError { pos: start, message: "string not closed on its line".into() });
                    }
                    Some(ch) if ch == quote => break,
                    Some('\\') => {
                        let e = self.bump().ok_or(SyntaxError { pos: start, message: "string not closed".into() })?;
                        s.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            '0' => '\0',
                            other => other,
                        });
                    }
                    Some(ch) => s.push(ch),
                }
            }
            return Ok((Tok::Str(s), start));
        }
        if "{}[]<>:;,".contains(c) {
            self.bump();
            return Ok((Tok::Punct(c), start));
        }
        Err(SyntaxError { pos: start, message: format!("unexpected character '{c}'") })
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Tok,
    pos: Pos,
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<(), SyntaxError> {
        let (t, p) = self.lexer.next()?;
        self.tok = t;
        self.pos = p;
        Ok(())
    }

    fn error<T>(&self, expected: &str) -> Result<T, SyntaxError> {
        Err(SyntaxError { pos: self.pos, message: format!("expected {expected}, found {}", self.tok.describe()) })
    }

    /// Fields until `close` (`}`, `>`, or the end for the top level).
    fn message(&mut self, close: Option<char>) -> Result<Message, SyntaxError> {
        let mut msg = Message::default();
        loop {
            match (&self.tok, close) {
                (Tok::End, None) => return Ok(msg),
                (Tok::Punct(c), Some(want)) if *c == want => {
                    self.advance()?;
                    return Ok(msg);
                }
                (Tok::Ident(_), _) => self.field(&mut msg)?,
                (_, Some(want)) => return self.error(&format!("a field name or '{want}'")),
                (_, None) => return self.error("a field name"),
            }
        }
    }

    fn field(&mut self, msg: &mut Message) -> Result<(), SyntaxError> {
        let Tok::Ident(name) = self.tok.clone() else { unreachable!("field() starts on a name") };
        let pos = self.pos;
        self.advance()?;
        let colon = self.tok == Tok::Punct(':');
        if colon {
            self.advance()?;
        }
        match self.tok.clone() {
            Tok::Punct('{') | Tok::Punct('<') => {
                let value = self.sub_message()?;
                msg.fields.push(Field { name, pos, value });
            }
            Tok::Punct('[') => {
                self.advance()?;
                if self.tok == Tok::Punct(']') {
                    self.advance()?;
                } else {
                    loop {
                        let value = match self.tok {
                            Tok::Punct('{') | Tok::Punct('<') => self.sub_message()?,
                            _ if colon => self.scalar()?,
                            _ => return self.error("'{' (a list without ':' holds messages)"),
                        };
                        msg.fields.push(Field { name: name.clone(), pos, value });
                        match self.tok {
                            Tok::Punct(',') => self.advance()?,
                            Tok::Punct(']') => {
                                self.advance()?;
                                break;
                            }
                            _ => return self.error("',' or ']'"),
                        }
                    }
                }
            }
            _ if colon => {
                let value = self.scalar()?;
                msg.fields.push(Field { name, pos, value });
            }
            _ => return self.error(&format!("':' or '{{' after field name '{name}'")),
        }
        if matches!(self.tok, Tok::Punct(';') | Tok::Punct(',')) {
            self.advance()?;
        }
        Ok(())
    }

    fn sub_message(&mut self) -> Result<Value, SyntaxError> {
        let close = if self.tok == Tok::Punct('{') { '}' } else { '>' };
        self.advance()?;
        Ok(Value::Message(self.message(Some(close))?))
    }

    fn scalar(&mut self) -> Result<Value, SyntaxError> {
        let pos = self.pos;
        let value = match self.tok.clone() {
            Tok::Number(s) => {
                self.advance()?;
                Scalar { text: s, kind: ScalarKind::Number, pos }
            }
            Tok::Ident(s) => {
                self.advance()?;
                Scalar { text: s, kind: ScalarKind::Ident, pos }
            }
            Tok::Str(s) => {
                let mut text = s;
                self.advance()?;
                while let Tok::Str(more) = &self.tok {
                    text.push_str(more);
                    self.advance()?;
                }
                Scalar { text, kind: ScalarKind::String, pos }
            }
            _ => return self.error("a value (number, string or name)"),
        };
        Ok(Value::Scalar(value))
    }
}

/// Parses protobuf text into its top-level message.
///
/// Errors: the first token that does not fit the grammar, with its line and column.
pub fn parse(text: &str) -> Result<Message, SyntaxError> {
    let mut p = Parser {
        lexer: Lexer { chars: text.chars().peekable(), pos: Pos { line: 1, column: 1 } },
        tok: Tok::End,
        pos: Pos { line: 1, column: 1 },
    };
    p.advance()?;
    p.message(None)
}

/// Whether `text` looks like protobuf text rather than a key file: its first token (after
/// comments) is a name followed by `{`, `<` or `:`, where a key file has `[group]` or `key=`.
pub fn looks_like_prototext(text: &str) -> bool {
    let mut lexer = Lexer { chars: text.chars().peekable(), pos: Pos { line: 1, column: 1 } };
    matches!(lexer.next(), Ok((Tok::Ident(_), _)))
        && matches!(lexer.next(), Ok((Tok::Punct('{' | '<' | ':'), _)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(f: &Field) -> &str {
        match &f.value {
            Value::Scalar(s) => &s.text,
            Value::Message(_) => panic!("{} is a message", f.name),
        }
    }

    fn sub(f: &Field) -> &Message {
        match &f.value {
            Value::Message(m) => m,
            Value::Scalar(_) => panic!("{} is a scalar", f.name),
        }
    }

    #[test]
    fn nested_messages_lists_and_comments() {
        let m = parse(
            "# comment\ninfer_config {\n  unique_id: 5 # five\n  gpu_ids: [0, 1]\n  backend {\n    outputs: [ { name: \"a:0\" }, { name: 'b' \"c\" } ]\n  }\n  normalize: < scale_factor: 1e-3; >\n  other {}\n}\ninput_control { interval: -1, process_mode: PROCESS_MODE_FULL_FRAME }\n",
        )
        .unwrap();
        assert_eq!(m.fields.len(), 2);
        let ic = sub(&m.fields[0]);
        let names: Vec<&str> = ic.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["unique_id", "gpu_ids", "gpu_ids", "backend", "normalize", "other"]);
        assert_eq!(scalar(&ic.fields[0]), "5");
        assert_eq!(ic.fields[0].pos, Pos { line: 3, column: 3 });
        assert_eq!((scalar(&ic.fields[1]), scalar(&ic.fields[2])), ("0", "1"));
        let outs = &sub(&ic.fields[3]).fields;
        assert_eq!(outs.len(), 2);
        assert_eq!(scalar(&sub(&outs[0]).fields[0]), "a:0");
        assert_eq!(scalar(&sub(&outs[1]).fields[0]), "bc");
        assert_eq!(scalar(&sub(&ic.fields[4]).fields[0]), "1e-3");
        assert!(sub(&ic.fields[5]).fields.is_empty());
        let ctl = sub(&m.fields[1]);
        assert_eq!(scalar(&ctl.fields[0]), "-1");
        assert_eq!(scalar(&ctl.fields[1]), "PROCESS_MODE_FULL_FRAME");
    }

    #[test]
    fn errors_have_line_and_column() {
        let e = parse("infer_config {\n  unique_id: 5\n  backend {\n").unwrap_err();
        assert_eq!(e.pos, Pos { line: 4, column: 1 });
        assert_eq!(e.message, "expected a field name or '}', found the end of the file");
        let e = parse("a {\n  b 5\n}").unwrap_err();
        assert_eq!(e.to_string(), "line 2, column 5: expected ':' or '{' after field name 'b', found number 5");
        let e = parse("a: \"x\n").unwrap_err();
        assert_eq!(e.pos, Pos { line: 1, column: 4 });
        let e = parse("a: [1 2]").unwrap_err();
        assert_eq!(e.to_string(), "line 1, column 7: expected ',' or ']', found number 2");
        let e = parse("}").unwrap_err();
        assert_eq!(e.to_string(), "line 1, column 1: expected a field name, found '}'");
        let e = parse("a: 1.2.3").unwrap_err();
        assert_eq!(e.to_string(), "line 1, column 4: '1.2.3' is not a number");
    }

    #[test]
    fn format_detection() {
        assert!(looks_like_prototext("# c\ninfer_config {\n"));
        assert!(looks_like_prototext("infer_config\n{"));
        assert!(!looks_like_prototext("[property]\nbatch-size=1\n"));
        assert!(!looks_like_prototext("# c\n\n[property]"));
    }
}
