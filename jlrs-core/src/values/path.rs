//! Paths to globals in Julia's own syntax: `"Base.sqrt"`, `"Base.:+"`, `"Base.:(==)"`.

use crate::error::{JlResult, JuliaError};

/// The names along `path`, unquoted: `"Base.:+"` and `"Base.+"` are both `["Base", "+"]`,
/// `"Base.:(==)"` is `["Base", "=="]`.
///
/// A component is a name up to the next `.`; `:name` quotes it as Julia does; `:op`, where
/// `op` starts with an operator character, takes the rest of the path (operators may
/// contain dots, `Base.:..`); `:(...)` takes everything up to the matching parenthesis.
/// An empty component or an unbalanced parenthesis is an [`JuliaError::UndefinedName`]
/// that says so.
pub(crate) fn components(path: &str) -> JlResult<Vec<&str>> {
    let invalid = |why: &str| JuliaError::UndefinedName(format!("{path} ({why})"));
    let mut out = Vec::new();
    let mut rest = path;
    loop {
        let (part, after) = if let Some(r) = rest.strip_prefix(":(") {
            let mut depth = 1usize;
            let end = r
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .ok_or_else(|| invalid("unbalanced parenthesis"))?;
            (&r[..end], &r[end + 1..])
        } else if let Some(r) = rest.strip_prefix(':') {
            if r.starts_with(is_identifier_char) {
                split_name(r)
            } else {
                (r, "")
            }
        } else {
            split_name(rest)
        };
        if part.is_empty() {
            return Err(invalid("empty name"));
        }
        out.push(part);
        if after.is_empty() {
            return Ok(out);
        }
        rest = after
            .strip_prefix('.')
            .ok_or_else(|| invalid("expected `.` after a quoted name"))?;
    }
}

/// The path of the module that holds the last name of `path` (`None` for a single name,
/// which lives in `Main`) and that name, unquoted: `"Base.:(==)"` is
/// `(Some("Base"), "==")`.
pub(crate) fn split_last(path: &str) -> JlResult<(Option<&str>, &str)> {
    let parts = components(path)?;
    let last = *parts.last().expect("components returns at least one name");
    if parts.len() == 1 {
        return Ok((None, last));
    }
    // Every component is a slice of `path`: what precedes the last one is the module's
    // path, its `.` and the quote.
    let start = last.as_ptr() as usize - path.as_ptr() as usize;
    let before = &path[..start];
    let before = before.strip_suffix('(').unwrap_or(before);
    let before = before.strip_suffix(':').unwrap_or(before);
    let module = before
        .strip_suffix('.')
        .expect("names are separated by dots");
    Ok((Some(module), last))
}

/// `name` itself, unquoted if it is written `:name` or `:(name)`.
pub(crate) fn unquote(name: &str) -> JlResult<&str> {
    match components(name)?.as_slice() {
        [one] => Ok(one),
        _ => Err(JuliaError::UndefinedName(format!(
            "{name} (a name, not a path)"
        ))),
    }
}

fn split_name(s: &str) -> (&str, &str) {
    match s.find('.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn julia_path_syntax() {
        fn ok(p: &str) -> Vec<&str> {
            components(p).unwrap()
        }
        assert_eq!(ok("sqrt"), ["sqrt"]);
        assert_eq!(ok("Base.sqrt"), ["Base", "sqrt"]);
        assert_eq!(ok("Main.M.x"), ["Main", "M", "x"]);
        assert_eq!(ok("Base.+"), ["Base", "+"]);
        assert_eq!(ok("Base.:+"), ["Base", "+"]);
        assert_eq!(ok("Base.:(==)"), ["Base", "=="]);
        assert_eq!(ok("Base.:(:)"), ["Base", ":"]);
        assert_eq!(ok(":+"), ["+"]);
        assert_eq!(ok("Base.:sqrt"), ["Base", "sqrt"]);
        assert_eq!(ok("Base.:Math.sin"), ["Base", "Math", "sin"]);
        assert_eq!(ok("Base.:(f(x)).y"), ["Base", "f(x)", "y"]);
        assert_eq!(ok("Base.:.."), ["Base", ".."]);
        for bad in [
            "",
            "Base.",
            ".x",
            "Base..x",
            "Base.:(==",
            "Base.:(+)x",
            "Base.:()",
        ] {
            assert!(components(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(split_last("x").unwrap(), (None, "x"));
        assert_eq!(split_last("Main.M.x").unwrap(), (Some("Main.M"), "x"));
        assert_eq!(split_last("Base.:(==)").unwrap(), (Some("Base"), "=="));
        assert_eq!(split_last("Base.:+").unwrap(), (Some("Base"), "+"));
        assert_eq!(
            split_last("Main.:(M).:x").unwrap(),
            (Some("Main.:(M)"), "x")
        );
        assert_eq!(unquote(":(==)").unwrap(), "==");
        assert!(unquote("Base.sqrt").is_err());
    }
}
