//! Reading a script file: UTF-8 text, with a leading byte-order mark dropped (editors on
//! Windows write one; Rhai would read it as an unknown character), and a file that is not
//! UTF-8 reported at the line and column of its first bad byte.

use std::path::Path;

/// Why a script's text cannot be used.
#[derive(Debug)]
pub(crate) enum SourceError {
    /// The file cannot be read at all.
    Io(std::io::Error),
    /// The byte at `line:column` (1-based; the column counts characters) starts no UTF-8
    /// character.
    NotUtf8 { line: u32, column: u32, byte: u8 },
}

impl SourceError {
    /// A sentence about it (without the file name; the caller adds it or a span).
    pub(crate) fn message(&self) -> String {
        match self {
            SourceError::Io(err) => err.to_string(),
            SourceError::NotUtf8 { byte, .. } => format!(
                "the script is not UTF-8 text: byte 0x{byte:02x} starts no UTF-8 character \
                 (save the file as UTF-8)"
            ),
        }
    }
}

/// The file's text, BOM dropped.
pub(crate) fn read(path: &Path) -> Result<String, SourceError> {
    let bytes = std::fs::read(path).map_err(SourceError::Io)?;
    decode(bytes)
}

/// Bytes to script text, BOM dropped.
pub(crate) fn decode(bytes: Vec<u8>) -> Result<String, SourceError> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(err) => {
            let bytes = err.as_bytes();
            let at = err.utf8_error().valid_up_to();
            // Everything before `at` is valid UTF-8.
            let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let before = before.strip_prefix('\u{feff}').unwrap_or(before);
            let line = before.matches('\n').count() + 1;
            let column = before
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1;
            Err(SourceError::NotUtf8 {
                line: line as u32,
                column: column as u32,
                byte: bytes[at],
            })
        }
    }
}

/// The `{` that is never closed (the innermost one, when several are), as 1-based line and
/// character column. Strings, characters and comments are skipped; a `${…}` inside a
/// backtick string counts as code only for its own braces. None when every `{` is closed.
pub(crate) fn unclosed_brace(text: &str) -> Option<(u32, u32)> {
    let mut open: Vec<(u32, u32)> = Vec::new();
    let (mut line, mut column) = (1u32, 0u32);
    let mut chars = text.chars().peekable();
    let mut in_line_comment = false;
    let mut block_comments = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            column = 0;
            in_line_comment = false;
            continue;
        }
        column += 1;
        if in_line_comment {
            continue;
        }
        if block_comments > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                column += 1;
                block_comments -= 1;
            } else if c == '/' && chars.peek() == Some(&'*') {
                chars.next();
                column += 1;
                block_comments += 1;
            }
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '/' if chars.peek() == Some(&'/') => in_line_comment = true,
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                column += 1;
                block_comments += 1;
            }
            '{' => open.push((line, column)),
            '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last().copied()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_unclosed_brace_is_found_past_strings_and_comments() {
        let text = "fn a() {\n    let s = \"}\"; // }\n    if true {\n    }\n/* } */\n";
        assert_eq!(unclosed_brace(text), Some((1, 8)));
        assert_eq!(unclosed_brace("let m = #{ a: 1 };\n"), None);
        assert_eq!(unclosed_brace("let m = #{ a: #{ b: 1 };\n"), Some((1, 10)));
    }

    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(
            decode(b"\xef\xbb\xbflet x = 1;".to_vec()).unwrap(),
            "let x = 1;"
        );
    }

    #[test]
    fn a_bad_byte_is_placed_by_line_and_character() {
        match decode(b"let a = 1;\nlet \xc3\xa9 = \"\xff\";".to_vec()) {
            Err(SourceError::NotUtf8 { line, column, byte }) => {
                assert_eq!((line, column, byte), (2, 10, 0xff));
            }
            other => panic!("{other:?}"),
        }
    }
}
