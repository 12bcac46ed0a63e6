//! `#[derive(IntoJulia, Unbox)]` for Rust structs, in two ways:
//!
//! - a `#[repr(C)]` struct whose fields are bits types (numbers, `Complex`, other derived
//!   `#[repr(C)]` structs) is stored byte for byte as a Julia isbits struct (its layout is
//!   checked against the Julia type);
//! - any other struct with named fields is converted **field by field, by name, copying**:
//!   each field with its own conversion, so fields may be `Vec<T>` (a `Vector{T}`),
//!   `Vec<Vec<T>>` (a `Matrix{T}`), `String`, tuples or other derived structs. This is the
//!   way to move a Julia result into a Rust struct (one that also derives
//!   `serde::Serialize`, say). With `julia_type`, unboxing checks the value's type and
//!   boxing calls the type's constructor with the fields in order; without it, any struct
//!   or named tuple with those fields unboxes, and boxing makes a named tuple. An error
//!   names the field that does not convert and why.
//!
//! ```ignore
//! use jlrs::prelude::*;
//!
//! #[derive(Clone, Copy, Debug, PartialEq, IntoJulia, Unbox)]
//! #[repr(C)]
//! #[jlrs(julia_type = "Main.Point")]
//! struct Point {
//!     x: f64,
//!     y: i64,
//! }
//! ```
//!
//! ```ignore
//! #[derive(Debug, Unbox, IntoJulia)]
//! struct Summary {
//!     mean: f64,
//!     quantiles: Vec<f64>,
//!     label: String,
//! }
//! let s = frame.eval("(mean = 1.5, quantiles = [1.0, 2.0], label = \"x\")")?.unbox::<Summary>()?;
//! ```
//!
//! Attributes:
//! - `#[jlrs(julia_type = "Main.Point")]` (required for `#[repr(C)]` structs): the path of
//!   the Julia type;
//! - `#[jlrs(crate = "path")]`: where jlrs-core is. By default `::jlrs::base` (the
//!   facade's re-export) if the crate's `Cargo.toml` depends on `jlrs`, else
//!   `::jlrs_core`;
//! - on a field, `#[jlrs(rename = "name")]`: its name in Julia, if it differs.
//!
//! For `#[repr(C)]` structs, the layout is checked against the Julia type the first time
//! a conversion runs (see `jlrs_core::bits`); a field type without a bits layout (`bool`,
//! `char`, `String`, a Rust tuple) is refused at compile time.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, LitStr};

/// Implements `IntoJulia` for a struct: as bits if `#[repr(C)]`, else field by field. See the crate docs.
#[proc_macro_derive(IntoJulia, attributes(jlrs))]
pub fn derive_into_julia(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Which::IntoJulia)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `Unbox` for a struct: as bits if `#[repr(C)]`, else field by field. See the crate docs.
#[proc_macro_derive(Unbox, attributes(jlrs))]
pub fn derive_unbox(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Which::Unbox)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[derive(Clone, Copy)]
enum Which {
    IntoJulia,
    Unbox,
}

struct Options {
    julia_type: Option<LitStr>,
    krate: Option<syn::Path>,
}

fn options(input: &DeriveInput) -> syn::Result<Options> {
    let mut opts = Options {
        julia_type: None,
        krate: None,
    };
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("jlrs")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("julia_type") {
                opts.julia_type = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("crate") {
                let s: LitStr = meta.value()?.parse()?;
                opts.krate = Some(s.parse()?);
                Ok(())
            } else {
                Err(meta.error("expected `julia_type = \"...\"` or `crate = \"...\"`"))
            }
        })?;
    }
    Ok(opts)
}

/// `::jlrs::base` if the crate being compiled depends on the facade, else `::jlrs_core`.
fn default_crate() -> syn::Path {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .and_then(|d| std::fs::read_to_string(std::path::Path::new(&d).join("Cargo.toml")).ok())
        .unwrap_or_default();
    let depends_on_facade = manifest.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("jlrs =") || l.starts_with("jlrs=") || l.starts_with("jlrs.")
    });
    if depends_on_facade {
        syn::parse_quote!(::jlrs::base)
    } else {
        syn::parse_quote!(::jlrs_core)
    }
}

fn is_repr_c(input: &DeriveInput) -> bool {
    let mut c = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") {
                c = true;
            }
            Ok(())
        });
    }
    c
}

fn field_name(field: &syn::Field) -> syn::Result<String> {
    let mut name = field.ident.as_ref().map(|i| {
        let s = i.to_string();
        s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
    });
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("jlrs")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let s: LitStr = meta.value()?.parse()?;
                name = Some(s.value());
                Ok(())
            } else {
                Err(meta.error("expected `rename = \"...\"`"))
            }
        })?;
    }
    Ok(name.expect("named fields"))
}

fn expand(input: &DeriveInput, which: Which) -> syn::Result<Tokens> {
    let opts = options(input)?;
    if !is_repr_c(input) {
        return expand_record(input, opts, which);
    }
    let Some(julia_type) = opts.julia_type else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "missing #[jlrs(julia_type = \"Module.Type\")]",
        ));
    };
    let named = named_fields(input)?;
    let krate = opts.krate.unwrap_or_else(default_crate);
    let ty = &input.ident;
    let of = match which {
        Which::IntoJulia => quote!(of_into_julia),
        Which::Unbox => quote!(of_unbox),
    };
    let mut fields = Vec::new();
    for f in &named.named {
        let name = field_name(f)?;
        let ident = f.ident.as_ref().expect("named");
        let fty = &f.ty;
        fields.push(quote! {
            #krate::bits::FieldLayout {
                name: #name,
                offset: ::core::mem::offset_of!(#ty, #ident),
                layout: #krate::bits::Layout::#of::<#fty>(),
            }
        });
    }
    let layout = quote! {
        const LAYOUT: #krate::bits::Layout = #krate::bits::Layout {
            julia_type: #julia_type,
            size: ::core::mem::size_of::<#ty>(),
            fields: &[#(#fields),*],
        };
        static CACHE: #krate::bits::LayoutCache = #krate::bits::LayoutCache::new();
    };
    let imp = match which {
        Which::IntoJulia => quote! {
            // SAFETY: the type is #[repr(C)] (checked by the derive), and LAYOUT is made
            // from its size, its fields' offsets (`offset_of!`) and its fields' own
            // layouts, in declaration order.
            unsafe impl #krate::IntoJulia for #ty {
                type Output<'s> = #krate::JlResult<#krate::Value<'s>>;
                const LAYOUT: ::core::option::Option<&'static #krate::bits::Layout> =
                    ::core::option::Option::Some(&LAYOUT);

                fn into_julia<'s>(
                    self,
                    frame: &mut #krate::GcFrame<'s>,
                ) -> #krate::JlResult<#krate::Value<'s>> {
                    // SAFETY: LAYOUT describes this type (see above).
                    unsafe { #krate::bits::box_bits(frame, &LAYOUT, &CACHE, &self) }
                }
            }
        },
        Which::Unbox => quote! {
            // SAFETY: as for IntoJulia; the fields are bits types whose every bit pattern
            // is valid (their own layouts say so).
            unsafe impl #krate::Unbox for #ty {
                const JULIA_TYPE: &'static str = #julia_type;
                const LAYOUT: ::core::option::Option<&'static #krate::bits::Layout> =
                    ::core::option::Option::Some(&LAYOUT);

                fn is_type_of(value: #krate::Value<'_>) -> bool {
                    #krate::bits::is_bits::<Self>(value, &LAYOUT, &CACHE)
                }

                fn unbox(value: #krate::Value<'_>) -> #krate::JlResult<Self> {
                    // SAFETY: LAYOUT describes this type (see above).
                    unsafe { #krate::bits::unbox_bits(value, &LAYOUT, &CACHE) }
                }
            }
        },
    };
    Ok(quote! {
        const _: () = {
            #layout
            #imp
        };
    })
}

/// The named fields of a non-generic struct, or the error to report.
fn named_fields(input: &DeriveInput) -> syn::Result<&syn::FieldsNamed> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "generic types cannot be derived; write the impl for each instance",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "only structs can be derived",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "only structs with named fields can be derived (Julia fields have names)",
        ));
    };
    Ok(named)
}

/// A struct that is not `#[repr(C)]`: converted field by field, by name, each field with
/// its own conversion (copying `Vec`s, `String`s, nested structs). With a `julia_type`,
/// unboxing checks the value's type and boxing calls the type's constructor; without one,
/// any struct or named tuple with the fields unboxes, and boxing makes a named tuple.
fn expand_record(input: &DeriveInput, opts: Options, which: Which) -> syn::Result<Tokens> {
    let named = named_fields(input)?;
    let krate = opts.krate.unwrap_or_else(default_crate);
    let ty = &input.ident;
    let julia_type = match &opts.julia_type {
        Some(path) => quote!(::core::option::Option::Some(#path)),
        None => quote!(::core::option::Option::None),
    };
    let type_name = match &opts.julia_type {
        Some(path) => quote!(#path),
        None => {
            let name = format!("a struct or named tuple with the fields of {ty}");
            quote!(#name)
        }
    };
    let mut idents = Vec::new();
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut locals = Vec::new();
    for f in &named.named {
        let ident = f.ident.clone().expect("named");
        locals.push(quote::format_ident!("__jlrs_field_{}", ident));
        names.push(field_name(f)?);
        idents.push(ident);
        types.push(f.ty.clone());
    }
    let imp = match which {
        Which::IntoJulia => quote! {
            // SAFETY: no layout is claimed: the struct is converted field by field.
            unsafe impl #krate::IntoJulia for #ty {
                type Output<'s> = #krate::JlResult<#krate::Value<'s>>;

                fn into_julia<'s>(
                    self,
                    frame: &mut #krate::GcFrame<'s>,
                ) -> #krate::JlResult<#krate::Value<'s>> {
                    #(
                        let #locals = #krate::record::box_field(frame, self.#idents, #names)?;
                    )*
                    #krate::record::box_record(frame, #julia_type, &[#((#names, #locals)),*])
                }
            }
        },
        Which::Unbox => quote! {
            // SAFETY: no layout is claimed: the struct is converted field by field.
            unsafe impl #krate::Unbox for #ty {
                const JULIA_TYPE: &'static str = #type_name;

                fn is_type_of(value: #krate::Value<'_>) -> bool {
                    #krate::record::is_record(
                        value,
                        #julia_type,
                        &[#((#names, <#types as #krate::Unbox>::is_type_of as #krate::record::IsType)),*],
                    )
                }

                fn unbox(value: #krate::Value<'_>) -> #krate::JlResult<Self> {
                    #krate::record::unbox_record(value, #julia_type, |frame, value| {
                        ::core::result::Result::Ok(#ty {
                            #(
                                #idents: #krate::record::unbox_field::<#types>(frame, value, #names)?,
                            )*
                        })
                    })
                }
            }
        },
    };
    Ok(quote! {
        const _: () = {
            #imp
        };
    })
}
