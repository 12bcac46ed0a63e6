//! `cargo xtask imports`: checks that the files of each library crate import in one
//! direction, so that no two files (and no longer loop of files) import each other.
//!
//! An import is a path that starts with `crate::`, `super::` or `self::`, anywhere in the
//! code (a `use` item or a path in an expression or type), or a `use` of a child module.
//! A path is charged to the file that defines its module; a name that module only
//! re-exports (`pub use`) is charged to the file it comes from. Comments and string
//! literals are not read.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{Context, Result};

/// The crates whose files must import in one direction.
const CRATES: &[&str] = &[
    "jlrs-core",
    "jlrs-mt",
    "jlrs-async",
    "jlrs-pool",
    "jlrs",
    "jlrs-macros",
];

pub(crate) fn cmd(args: &[String]) -> Result<ExitCode> {
    anyhow::ensure!(args.is_empty(), "`imports` takes no arguments");
    let root = crate::workspace_root();
    let mut clean = true;
    for name in CRATES {
        let graph = Graph::read(&root.join(name).join("src"))?;
        let loops = graph.loops();
        if loops.is_empty() {
            println!("{name}: {} files, no import loop", graph.edges.len());
            continue;
        }
        clean = false;
        for files in loops {
            println!("{name}: these files import each other:");
            for file in &files {
                let inside: Vec<_> = graph.edges[file].intersection(&files).collect();
                println!("  {file} -> {inside:?}");
            }
        }
    }
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One crate's files (relative to its `src/`) and the files each imports.
struct Graph {
    edges: BTreeMap<String, BTreeSet<String>>,
}

/// A module's path (`["array", "any"]`) and the file that defines it.
type Modules = BTreeMap<Vec<String>, String>;

impl Graph {
    fn read(src: &Path) -> Result<Graph> {
        let mut files = Vec::new();
        collect_rs(src, &mut files)?;
        let mut modules = Modules::new();
        let mut tokens = BTreeMap::new();
        for path in &files {
            let rel = rel_name(src, path);
            let text = fs::read_to_string(path).with_context(|| format!("reading {rel}"))?;
            modules.insert(module_of(&rel), rel.clone());
            tokens.insert(rel, tokenize(&text));
        }
        let found: BTreeMap<_, _> = tokens
            .iter()
            .map(|(rel, toks)| (rel, paths(toks)))
            .collect();
        // Names that a module re-exports, and the file each comes from.
        let mut reexports = BTreeMap::new();
        for (rel, found) in &found {
            for f in found.iter().filter(|f| f.reexport) {
                let here = [module_of(rel), f.inline.clone()].concat();
                if let Some(file) = resolve(&modules, &BTreeMap::new(), &here, &f.path) {
                    let name = f.path.last().cloned().unwrap_or_default();
                    reexports.insert((here, name), file);
                }
            }
        }
        let mut edges = BTreeMap::new();
        for (rel, found) in &found {
            let mut to = BTreeSet::new();
            for f in found {
                let here = [module_of(rel), f.inline.clone()].concat();
                if let Some(file) = resolve(&modules, &reexports, &here, &f.path) {
                    if &file != *rel {
                        to.insert(file);
                    }
                }
            }
            edges.insert((*rel).clone(), to);
        }
        Ok(Graph { edges })
    }

    /// The groups of two or more files that import each other, directly or through others
    /// (strongly connected components).
    fn loops(&self) -> Vec<BTreeSet<String>> {
        let reach = |from: &String| {
            let mut seen = BTreeSet::new();
            let mut todo = vec![from.clone()];
            while let Some(f) = todo.pop() {
                for g in &self.edges[&f] {
                    if seen.insert(g.clone()) {
                        todo.push(g.clone());
                    }
                }
            }
            seen
        };
        let reachable: BTreeMap<_, _> = self.edges.keys().map(|f| (f.clone(), reach(f))).collect();
        let mut loops: Vec<BTreeSet<String>> = Vec::new();
        for f in self.edges.keys() {
            if !reachable[f].contains(f) || loops.iter().any(|l| l.contains(f)) {
                continue;
            }
            let group = reachable[f]
                .iter()
                .filter(|g| reachable[*g].contains(f))
                .cloned()
                .collect();
            loops.push(group);
        }
        loops
    }
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn rel_name(src: &Path, path: &Path) -> String {
    path.strip_prefix(src)
        .expect("below src")
        .to_string_lossy()
        .replace('\\', "/")
}

/// `array/mod.rs` and `array.rs` are module `array`; `lib.rs` is the crate root.
fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The file a path leads to: the longest prefix that is a module, or the file a name
/// re-exported there comes from.
fn resolve(
    modules: &Modules,
    reexports: &BTreeMap<(Vec<String>, String), String>,
    here: &[String],
    path: &[String],
) -> Option<String> {
    let mut full: Vec<String> = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("self" | "super") => {
            full = here.to_vec();
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "self" => {}
                    "super" => {
                        full.pop();
                    }
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        // A `use` of a child module, or of something inside one.
        Some(child) if modules.contains_key(&[here, &[child.to_string()]].concat()) => {
            full = here.to_vec();
        }
        _ => return None,
    }
    full.extend(rest.iter().cloned());
    for len in (0..=full.len()).rev() {
        let Some(file) = modules.get(&full[..len]) else {
            continue;
        };
        if let Some(next) = full.get(len) {
            if let Some(origin) = reexports.get(&(full[..len].to_vec(), next.clone())) {
                return Some(origin.clone());
            }
        }
        return Some(file.clone());
    }
    None
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other,
}

/// Identifiers and the punctuation of paths; comments, strings and chars are skipped.
fn tokenize(text: &str) -> Vec<Tok> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            'r' if matches!(next, Some('"' | '#')) && raw_string_end(&b, i).is_some() => {
                i = raw_string_end(&b, i).expect("checked");
            }
            '"' => {
                i += 1;
                while i < b.len() && b[i] != '"' {
                    i += if b[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            // A char literal ('x', '\n', '\''), not a lifetime ('a).
            '\'' if next == Some('\\') || b.get(i + 2) == Some(&'\'') => {
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(b[start..i].iter().collect()));
            }
            c if c.is_whitespace() => i += 1,
            ':' if next == Some(':') => {
                out.push(Tok::PathSep);
                i += 2;
            }
            _ => {
                out.push(match c {
                    '{' => Tok::Open,
                    '}' => Tok::Close,
                    ',' => Tok::Comma,
                    ';' => Tok::Semi,
                    '*' => Tok::Star,
                    _ => Tok::Other,
                });
                i += 1;
            }
        }
    }
    out
}

/// Where a raw string starting at `i` (`r"..."`, `r#"..."#`) ends, if one starts there.
fn raw_string_end(b: &[char], i: usize) -> Option<usize> {
    if i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_') {
        return None;
    }
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if b.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < b.len() {
        if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(b.len())
}

/// Parses one use tree at `*j` below `prefix`, pushing every leaf path; always moves `*j`
/// past at least one token.
fn parse_tree(toks: &[Tok], j: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let start = *j;
    let mut path = prefix.to_vec();
    let mut after_sep = true;
    loop {
        match toks.get(*j) {
            Some(Tok::PathSep) => after_sep = true,
            Some(Tok::Ident(s)) if s == "as" => {
                *j += 2;
                break;
            }
            Some(Tok::Ident(s)) if after_sep => {
                path.push(s.clone());
                after_sep = false;
            }
            // A group `a::{b, c}` (a brace after a plain identifier is code, such as a
            // struct literal, and ends the path).
            Some(Tok::Open) if after_sep => {
                *j += 1;
                while !matches!(toks.get(*j), None | Some(Tok::Close)) {
                    parse_tree(toks, j, &path, out);
                    if toks.get(*j) == Some(&Tok::Comma) {
                        *j += 1;
                    }
                }
                *j += 1;
                return;
            }
            Some(Tok::Star) if after_sep => {
                *j += 1;
                break;
            }
            _ => break,
        }
        *j += 1;
    }
    if path.len() > prefix.len() {
        out.push(path);
    }
    if *j == start {
        *j += 1;
    }
}

/// A path found in a file.
struct Found {
    /// The inline modules (`mod name { ... }`) the path stands in, outermost first.
    inline: Vec<String>,
    path: Vec<String>,
    /// Whether it is the path of a `pub use` (or `pub(...) use`) item: a re-export.
    reexport: bool,
}

/// Every path of a `use` item (groups expanded) and every path in code that starts with
/// `crate::`, `super::` or `self::`.
fn paths(toks: &[Tok]) -> Vec<Found> {
    let mut out = Vec::new();
    // Inline modules and the brace depth inside which each one's items stand.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    for i in 0..toks.len() {
        match &toks[i] {
            Tok::Open => {
                depth += 1;
                if let (Some(Tok::Ident(m)), Some(Tok::Ident(name))) = (
                    i.checked_sub(2).map(|k| &toks[k]),
                    i.checked_sub(1).map(|k| &toks[k]),
                ) {
                    if m == "mod" {
                        inline.push((name.clone(), depth));
                    }
                }
                continue;
            }
            Tok::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
                continue;
            }
            _ => {}
        }
        let Tok::Ident(word) = &toks[i] else { continue };
        let mut leaves = Vec::new();
        let reexport;
        if word == "use" {
            // `pub use` or `pub(...) use`.
            let is_pub = |k: usize| k < i && toks[i - 1 - k] == Tok::Ident("pub".into());
            reexport = is_pub(0) || (i >= 1 && toks[i - 1] == Tok::Other && (2..=4).any(is_pub));
            parse_tree(toks, &mut (i + 1), &[], &mut leaves);
        } else if matches!(word.as_str(), "crate" | "super" | "self")
            && toks.get(i + 1) == Some(&Tok::PathSep)
            && (i == 0 || !matches!(toks[i - 1], Tok::PathSep | Tok::Ident(_)))
        {
            // (After a `use`, an identifier or `::`, the path was read already.)
            reexport = false;
            parse_tree(toks, &mut { i }, &[], &mut leaves);
        } else {
            continue;
        }
        let here: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
        out.extend(leaves.into_iter().map(|path| Found {
            inline: here.clone(),
            path,
            reexport,
        }));
    }
    out
}

#[cfg(test)]
mod test {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> Graph {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("xtask-imports-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (name, text) in files {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let g = Graph::read(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        g
    }

    #[test]
    fn finds_a_pair_through_a_reexport_and_a_child_through_super() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b; pub use a::A;"),
            ("a.rs", "use crate::b::B; pub struct A;"),
            ("b.rs", "pub struct B; fn f() -> crate::A { crate::A }"),
            ("c/mod.rs", "mod d; pub use d::D; pub struct C;"),
            ("c/d.rs", "pub struct D(super::C);"),
        ]);
        let loops = g.loops();
        assert_eq!(loops.len(), 2, "{loops:?}");
        assert!(loops
            .iter()
            .any(|l| l.contains("a.rs") && l.contains("b.rs")));
        assert!(loops
            .iter()
            .any(|l| l.contains("c/mod.rs") && l.contains("c/d.rs")));
    }

    #[test]
    fn names_used_through_the_crate_root_count_for_their_files() {
        let g = graph(&[
            (
                "lib.rs",
                "mod frame;\nmod value;\n\npub use frame::GcFrame;\npub use value::Value;\n",
            ),
            ("frame.rs", "use crate::{sys, Value};\npub struct GcFrame;"),
            (
                "value.rs",
                "use std::fmt;\n\nuse crate::{\n    sys, GcFrame,\n};\npub struct Value;",
            ),
            ("sys.rs", ""),
        ]);
        assert_eq!(g.loops().len(), 1, "{:?}", g.edges);
    }

    #[test]
    fn super_inside_an_inline_module_is_the_file_itself() {
        let g = graph(&[
            ("lib.rs", "mod a;\nmod b;\npub use a::A;\n"),
            (
                "a.rs",
                "use crate::b::B;\npub struct A;\nmod test {\n    use super::*;\n}\n",
            ),
            ("b.rs", "pub struct B;\nmod test {\n    use super::B;\n}\n"),
        ]);
        assert!(g.loops().is_empty(), "{:?}", g.edges);
        assert_eq!(g.edges["b.rs"], BTreeSet::new());
    }

    #[test]
    fn one_direction_has_no_loop_and_comments_and_strings_are_not_read() {
        let g = graph(&[
            ("lib.rs", "mod a; mod b;"),
            (
                "a.rs",
                "use crate::b::{B, self}; // crate::a::A\npub struct A;",
            ),
            (
                "b.rs",
                "/// [`A`](crate::a::A)\npub struct B; const S: &str = \"crate::a::A\"; \
                 const R: &str = r#\"crate::a\"#; const C: char = '\"';",
            ),
        ]);
        assert!(g.loops().is_empty(), "{:?}", g.edges);
        assert_eq!(g.edges["a.rs"], BTreeSet::from(["b.rs".to_string()]));
    }
}
