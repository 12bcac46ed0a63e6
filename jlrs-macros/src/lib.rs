//! `#[derive(IntoJulia, Unbox)]` for Rust structs, in two ways:
//!
//! - a `#[repr(C)]` struct whose fields are bits types (numbers, `bool`, `char`, tuples of
//!   bits types, `Complex`, other derived `#[repr(C)]` structs) is stored as a Julia isbits
//!   struct (its layout is checked against the Julia type; a `bool` is read only when
//!   Julia's byte is 0 or 1, a `char` is converted from and to Julia's UTF-8 `Char`, and
//!   an invalid one is an error naming the field). `#[derive(Unbox)]` also implements
//!   `ArrayElement`, so `value.array::<Point>()` views a Julia `Vector{Point}` in place: the
//!   first use checks the layout (isbits, size, alignment, field names, offsets and types)
//!   and refuses types with a `bool` or `char` inside, whose Julia bits are not always
//!   valid Rust ones;
//! - any other struct with named fields is converted **field by field, by name, copying**
//!   (except `Value<'s>` fields of a struct with a lifetime `'s`, rooted in the caller's
//!   frame through `UnboxRooted`):
//!   each field with its own conversion, so fields may be `Vec<T>` (a `Vector{T}`),
//!   `Vec<Vec<T>>` (a `Matrix{T}`), `String`, `bool`, `char`, tuples or other derived
//!   structs. This is the way to move a Julia result into a Rust struct in one call (one
//!   that also derives `serde::Serialize`, say). With `julia_type`, unboxing checks the
//!   value's type and boxing calls the type's constructor with the fields in order;
//!   without it, any struct or named tuple with those fields unboxes, and boxing makes a
//!   named tuple. An error names the field that does not convert and why.
//!
//! Generic structs are derived with a bound on each type parameter: in bits mode,
//! `WithGeneric<f64>` is the Julia type at `julia_type` applied to its parameters' Julia
//! types (`WithGeneric{Float64}`); field by field, the value must be one of the Julia type
//! at `julia_type` (any parameters), and boxing calls its constructor.
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
//!
//! // struct WithGeneric{T}; t::T; end
//! #[derive(Clone, Copy, IntoJulia, Unbox)]
//! #[repr(C)]
//! #[jlrs(julia_type = "Main.WithGeneric")]
//! struct WithGeneric<T> {
//!     t: T,
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
//!   the Julia type (without its parameters);
//! - `#[jlrs(crate = "path")]`: where jlrs-core is. By default `::jlrs::base` (the
//!   facade's re-export) if the crate's `Cargo.toml` depends on `jlrs`, else
//!   `::jlrs_core`;
//! - on a field, `#[jlrs(rename = "name")]`: its name in Julia, if it differs.
//!
//! # What is refused at compile time
//!
//! A `#[repr(C)]` struct with a field that has no bits layout (a `String`, a `Vec`, an
//! `Option`: "this field type has no bits layout"):
//!
//! ```compile_fail,E0080
//! use jlrs_macros::Unbox;
//!
//! #[derive(Clone, Copy, Unbox)]
//! #[repr(C)]
//! #[jlrs(julia_type = "Main.Named")]
//! struct Named {
//!     id: i64,
//!     parent: Option<i64>, // no bits layout: convert the struct field by field instead
//! }
//! let _ = <Named as jlrs_core::Unbox>::LAYOUT;
//! ```
//!
//! A `Value` field in a struct without a lifetime: a copy cannot keep a Julia value rooted
//! (nothing would tie the field's lifetime to a frame that roots it), so `Value` is not
//! `Unbox`:
//!
//! ```compile_fail,E0277
//! use jlrs_core::Value;
//! use jlrs_macros::Unbox;
//!
//! #[derive(Unbox)]
//! struct Holder {
//!     value: Value<'static>,
//! }
//! ```
//!
//! Give the struct the frame's lifetime instead: `#[derive(Unbox)]` then implements
//! `UnboxRooted<'s>`, read with `value.unbox_rooted::<Holder>(&mut frame)`, which roots
//! each `Value` field in that frame. The result cannot outlive the frame:
//!
//! ```compile_fail
//! use jlrs_core::{GcFrame, Value};
//! use jlrs_macros::Unbox;
//!
//! #[derive(Unbox)]
//! struct Holder<'s> {
//!     value: Value<'s>,
//! }
//!
//! fn escape<'s>(frame: &mut GcFrame<'s>, v: Value<'_>) -> Holder<'static> {
//!     v.unbox_rooted(frame).unwrap()
//! }
//! ```
//!
//! Fields that borrow Rust data, lifetimes or const parameters in a `#[repr(C)]` struct
//! (a Julia type's parameters are types here), more than one lifetime:
//!
//! ```compile_fail
//! use jlrs_macros::Unbox;
//!
//! #[derive(Unbox)]
//! struct Labeled<'a> {
//!     label: &'a str,
//! }
//! ```
//!
//! The same structs with what is supported compile:
//!
//! ```
//! use jlrs_macros::Unbox;
//!
//! #[derive(Clone, Copy, Unbox)]
//! #[repr(C)]
//! #[jlrs(julia_type = "Main.Flagged")]
//! struct Flagged<T> {
//!     id: T,
//!     on: bool,
//!     letter: char,
//!     pair: (f64, i64),
//! }
//!
//! #[derive(Unbox)]
//! struct Named {
//!     id: i64,
//!     name: String,
//!     values: Vec<f64>,
//! }
//!
//! #[derive(Unbox)]
//! struct Holder<'s> {
//!     value: jlrs_core::Value<'s>,
//! }
//!
//! fn read<'s>(frame: &mut jlrs_core::GcFrame<'s>, v: jlrs_core::Value<'_>) -> Holder<'s> {
//!     v.unbox_rooted(frame).unwrap()
//! }
//! let _ = <Flagged<i64> as jlrs_core::Unbox>::LAYOUT;
//! let _ = read;
//! ```

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
    let params = type_params(input)?;
    let named = named_fields(input)?;
    let krate = opts.krate.unwrap_or_else(default_crate);
    let ty = &input.ident;
    let (trait_name, of) = match which {
        Which::IntoJulia => (quote!(#krate::IntoJulia), quote!(of_into_julia)),
        Which::Unbox => (quote!(#krate::Unbox), quote!(of_unbox)),
    };
    let generic = !params.is_empty();
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let preds = bounds(input, &named.named, &trait_name);
    let where_clause = quote!(where #(#preds,)* Self: ::core::marker::Copy);
    let element_where = quote! {
        where #(#preds,)* Self: ::core::marker::Copy
            + ::core::marker::Send
            + ::core::marker::Sync
            + 'static
    };
    let this = quote!(#ty #ty_generics);
    let mut fields = Vec::new();
    for f in &named.named {
        let name = field_name(f)?;
        let ident = f.ident.as_ref().expect("named");
        let fty = &f.ty;
        fields.push(quote! {
            #krate::bits::FieldLayout {
                name: #name,
                offset: ::core::mem::offset_of!(Self, #ident),
                layout: #krate::bits::Layout::#of::<#fty>(),
            }
        });
    }
    let layout = quote! {
        ::core::option::Option::Some(&#krate::bits::Layout {
            julia_type: #julia_type,
            size: ::core::mem::size_of::<Self>(),
            fields: &[#(#fields),*],
            params: &[#(#krate::bits::Layout::#of::<#params>()),*],
            encoding: #krate::bits::Encoding::Plain,
        })
    };
    // One `static` serves every instance of a generic type: it must tell them apart.
    let cache = if generic {
        quote!(static CACHE: #krate::bits::LayoutCache = #krate::bits::LayoutCache::per_layout();)
    } else {
        quote!(static CACHE: #krate::bits::LayoutCache = #krate::bits::LayoutCache::new();)
    };
    let imp = match which {
        Which::IntoJulia => quote! {
            // SAFETY: the type is #[repr(C)] (checked by the derive), and LAYOUT is made
            // from its size, its fields' offsets (`offset_of!`) and its fields' own
            // layouts, in declaration order.
            unsafe impl #impl_generics #krate::IntoJulia for #this #where_clause {
                type Output<'s> = #krate::JlResult<#krate::Value<'s>>;
                const LAYOUT: ::core::option::Option<&'static #krate::bits::Layout> = #layout;

                fn into_julia<'s>(
                    self,
                    frame: &mut #krate::GcFrame<'s>,
                ) -> #krate::JlResult<#krate::Value<'s>> {
                    let layout = #krate::bits::Layout::of_into_julia::<Self>();
                    // SAFETY: LAYOUT describes this type (see above).
                    unsafe { #krate::bits::box_bits(frame, layout, &CACHE, &self) }
                }
            }
        },
        Which::Unbox => quote! {
            // SAFETY: as for IntoJulia; the fields are bits types whose layouts say which
            // Julia bits are valid for them (every bit pattern for numbers; `bool` and
            // `char` are checked and converted).
            unsafe impl #impl_generics #krate::Unbox for #this #where_clause {
                const JULIA_TYPE: &'static str = #julia_type;
                const LAYOUT: ::core::option::Option<&'static #krate::bits::Layout> = #layout;

                fn is_type_of(value: #krate::Value<'_>) -> bool {
                    let layout = #krate::bits::Layout::of_unbox::<Self>();
                    #krate::bits::is_bits::<Self>(value, layout, &CACHE)
                }

                fn unbox(value: #krate::Value<'_>) -> #krate::JlResult<Self> {
                    let layout = #krate::bits::Layout::of_unbox::<Self>();
                    // SAFETY: LAYOUT describes this type (see above).
                    unsafe { #krate::bits::unbox_bits(value, layout, &CACHE) }
                }
            }

            // SAFETY: `element_type` returns the Julia type only if LAYOUT (which describes
            // this type, see above) matches it: an isbits type of this size, alignment,
            // field names, offsets and field types, with no `bool` or `char` inside, so
            // every element of an array of it is a valid `Self`, stored as itself.
            unsafe impl #impl_generics #krate::array::ArrayElement for #this #element_where {
                type Stored = Self;

                fn julia_type(
                    frame: &mut #krate::GcFrame<'_>,
                ) -> #krate::JlResult<#krate::array::ElementType> {
                    let layout = #krate::bits::Layout::of_unbox::<Self>();
                    #krate::bits::element_type::<Self>(frame, layout, &CACHE)
                }

                fn into_stored(self) -> Self {
                    self
                }

                fn from_stored(stored: Self) -> #krate::JlResult<Self> {
                    ::core::result::Result::Ok(stored)
                }
            }
        },
    };
    Ok(quote! {
        const _: () = {
            #cache
            #imp
        };
    })
}

/// The type parameters of `input`; an error for lifetimes and const parameters, which no
/// Julia type parameter corresponds to here.
fn type_params(input: &DeriveInput) -> syn::Result<Vec<&syn::Ident>> {
    let mut params = Vec::new();
    for p in &input.generics.params {
        match p {
            syn::GenericParam::Type(t) => params.push(&t.ident),
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "a #[repr(C)] struct can only have type parameters (each one is a type \
                     parameter of the Julia type, in order), no lifetime or const parameter",
                ))
            }
        }
    }
    Ok(params)
}

/// The lifetime of a struct converted field by field, if it has one (its `Value` fields
/// are rooted for it); an error for more than one lifetime and for const parameters.
fn record_lifetime(input: &DeriveInput) -> syn::Result<Option<syn::Lifetime>> {
    let mut lifetime = None;
    for p in &input.generics.params {
        match p {
            syn::GenericParam::Type(_) => {}
            syn::GenericParam::Lifetime(l) if lifetime.is_none() => {
                lifetime = Some(l.lifetime.clone());
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "a struct converted field by field can have type parameters and one \
                     lifetime (the frame that roots its `Value` fields), nothing else",
                ))
            }
        }
    }
    Ok(lifetime)
}

/// The predicates of the impl's `where` clause: the struct's own, then `T: Trait` for each
/// type parameter and each field type that mentions one.
fn bounds(
    input: &DeriveInput,
    fields: &syn::punctuated::Punctuated<syn::Field, syn::Token![,]>,
    trait_name: &Tokens,
) -> Vec<Tokens> {
    let params: Vec<&syn::Ident> = input.generics.type_params().map(|t| &t.ident).collect();
    let mut preds: Vec<Tokens> = input
        .generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter().map(|p| quote!(#p)))
        .collect();
    for p in &params {
        preds.push(quote!(#p: #trait_name));
    }
    for f in fields {
        let fty = &f.ty;
        let text = quote!(#fty).to_string();
        let mentions = params.iter().any(|p| {
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| *p == w)
        });
        if mentions {
            preds.push(quote!(#fty: #trait_name));
        }
    }
    preds
}

/// The named fields of a struct, or the error to report.
fn named_fields(input: &DeriveInput) -> syn::Result<&syn::FieldsNamed> {
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
    let lifetime = record_lifetime(input)?;
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
    let trait_name = match (which, &lifetime) {
        (Which::IntoJulia, _) => quote!(#krate::IntoJulia),
        (Which::Unbox, None) => quote!(#krate::Unbox),
        (Which::Unbox, Some(lt)) => quote!(#krate::UnboxRooted<#lt>),
    };
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let preds = bounds(input, &named.named, &trait_name);
    let where_clause = quote!(where #(#preds),*);
    let this = quote!(#ty #ty_generics);
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
    if let (Which::Unbox, Some(lt)) = (which, &lifetime) {
        // Fields that hold Julia values are rooted in the caller's frame of lifetime `lt`.
        return Ok(quote! {
            impl #impl_generics #krate::UnboxRooted<#lt> for #this #where_clause {
                fn unbox_rooted(
                    frame: &mut #krate::GcFrame<#lt>,
                    value: #krate::Value<'_>,
                ) -> #krate::JlResult<Self> {
                    #krate::record::check_record(frame, value, #julia_type)?;
                    ::core::result::Result::Ok(#ty {
                        #(
                            #idents: #krate::record::unbox_field_rooted::<#types>(frame, value, #names)?,
                        )*
                    })
                }
            }
        });
    }
    let imp = match which {
        Which::IntoJulia => quote! {
            // SAFETY: no layout is claimed: the struct is converted field by field.
            unsafe impl #impl_generics #krate::IntoJulia for #this #where_clause {
                type Output<'__jlrs_s> = #krate::JlResult<#krate::Value<'__jlrs_s>>;

                fn into_julia<'__jlrs_s>(
                    self,
                    frame: &mut #krate::GcFrame<'__jlrs_s>,
                ) -> #krate::JlResult<#krate::Value<'__jlrs_s>> {
                    #(
                        let #locals = #krate::record::box_field(frame, self.#idents, #names)?;
                    )*
                    #krate::record::box_record(frame, #julia_type, &[#((#names, #locals)),*])
                }
            }
        },
        Which::Unbox => quote! {
            // SAFETY: no layout is claimed: the struct is converted field by field.
            unsafe impl #impl_generics #krate::Unbox for #this #where_clause {
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
