//! Reads the defined dynamic symbols of a 64-bit little-endian ELF shared library.

/// What kind of symbol a library defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Function,
    Object,
    ThreadLocal,
}

/// A symbol the library exports.
#[derive(Clone, Debug)]
pub(crate) struct Symbol {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) size: u64,
    pub(crate) weak: bool,
}

const SHT_DYNSYM: u32 = 11;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const STB_GNU_UNIQUE: u8 = 10;
const STT_OBJECT: u8 = 1;
const STT_FUNC: u8 = 2;
const STT_TLS: u8 = 6;
const STT_GNU_IFUNC: u8 = 10;
const STV_HIDDEN: u8 = 2;
const STV_INTERNAL: u8 = 1;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?)).ok()
}

/// The defined, visible functions and objects of the library in `bytes`; `None` if it is
/// not a 64-bit little-endian ELF file with a dynamic symbol table.
pub(crate) fn exported_symbols(bytes: &[u8]) -> Option<Vec<Symbol>> {
    if bytes.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let shoff = u64_at(bytes, 0x28)?;
    let shentsize = usize::from(u16_at(bytes, 0x3a)?);
    let shnum = usize::from(u16_at(bytes, 0x3c)?);
    let section = |i: usize| shoff.checked_add(i.checked_mul(shentsize)?);
    let dynsym = (0..shnum)
        .find(|&i| section(i).and_then(|at| u32_at(bytes, at + 4)) == Some(SHT_DYNSYM))?;
    let at = section(dynsym)?;
    let (offset, size) = (u64_at(bytes, at + 0x18)?, u64_at(bytes, at + 0x20)?);
    let entsize = u64_at(bytes, at + 0x38)?.max(24);
    let strtab = section(usize::try_from(u32_at(bytes, at + 0x28)?).ok()?)?;
    let strings = u64_at(bytes, strtab + 0x18)?;
    let mut symbols = Vec::new();
    for sym in (offset..offset.checked_add(size)?).step_by(entsize).skip(1) {
        let name_at = strings.checked_add(usize::try_from(u32_at(bytes, sym)?).ok()?)?;
        let info = *bytes.get(sym + 4)?;
        let other = *bytes.get(sym + 5)?;
        let shndx = u16_at(bytes, sym + 6)?;
        let st_size = u64::from_le_bytes(bytes.get(sym + 16..sym + 24)?.try_into().ok()?);
        let (bind, ty) = (info >> 4, info & 0xf);
        if shndx == 0
            || !matches!(bind, STB_GLOBAL | STB_WEAK | STB_GNU_UNIQUE)
            || matches!(other & 3, STV_HIDDEN | STV_INTERNAL)
        {
            continue;
        }
        let kind = match ty {
            STT_FUNC | STT_GNU_IFUNC => Kind::Function,
            STT_OBJECT => Kind::Object,
            STT_TLS => Kind::ThreadLocal,
            _ => continue,
        };
        let end = bytes.get(name_at..)?.iter().position(|&c| c == 0)?;
        let name = std::str::from_utf8(&bytes[name_at..name_at + end]).ok()?;
        symbols.push(Symbol {
            name: name.to_string(),
            kind,
            size: st_size,
            weak: bind == STB_WEAK,
        });
    }
    Some(symbols)
}
