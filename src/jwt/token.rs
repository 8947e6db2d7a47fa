//! The compact JWS wire format, parsed strictly: size first, then shape,
//! then canonical base64url, then JSON objects without duplicate names.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::{AuthReason, Error, Result};

pub(crate) const CONTEXT: &str = "jwt";

/// A refusal of a malformed token.
pub(crate) fn refuse(reason: &'static str) -> Error {
    refuse_as(AuthReason::Malformed, reason)
}

/// A refusal with its structured reason.
pub(crate) fn refuse_as(why: AuthReason, reason: &'static str) -> Error {
    Error::unauthenticated(CONTEXT, why, reason)
}

/// The three segments of a compact JWS, still encoded.
#[derive(Clone, Copy)]
pub(crate) struct Parts<'t> {
    pub(crate) header: &'t str,
    pub(crate) payload: &'t str,
    pub(crate) signature: &'t str,
    /// `header.payload`: the bytes the signature covers.
    pub(crate) signing_input: &'t str,
}

/// Splits a token, checking its length before looking at anything else.
pub(crate) fn split(token: &str, max_len: usize) -> Result<Parts<'_>> {
    if token.len() > max_len {
        return Err(refuse_as(
            AuthReason::TooLarge,
            "token longer than the size limit",
        ));
    }
    if token.is_empty() {
        return Err(refuse("empty token"));
    }
    let mut dots = 0usize;
    for &b in token.as_bytes() {
        match b {
            b'.' => dots = dots.saturating_add(1),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => {}
            _ => return Err(refuse("malformed token: character outside base64url")),
        }
    }
    match dots {
        2 => {}
        4 => return Err(refuse("encrypted tokens (JWE) are not accepted")),
        _ => return Err(refuse("malformed token: not three segments")),
    }
    let mut it = token.split('.');
    let (Some(header), Some(payload), Some(signature)) = (it.next(), it.next(), it.next()) else {
        return Err(refuse("malformed token: not three segments"));
    };
    if header.is_empty() || payload.is_empty() {
        return Err(refuse("malformed token: empty segment"));
    }
    if signature.is_empty() {
        return Err(refuse("missing signature"));
    }
    let signing_input = token
        .get(..header.len().saturating_add(1).saturating_add(payload.len()))
        .ok_or_else(|| refuse("malformed token"))?;
    Ok(Parts {
        header,
        payload,
        signature,
        signing_input,
    })
}

/// Canonical unpadded base64url: no padding, no stray bits.
pub(crate) fn b64(segment: &str, what: &'static str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(segment).map_err(|_| refuse(what))
}

/// A JSON object whose member names are unique (RFC 7515 §5.2 and RFC 7519
/// §4 say a parser must either refuse duplicates or take the last; taking
/// the last lets two parsers disagree about the same token, so we refuse).
pub(crate) struct UniqueObject(pub(crate) Map<String, Value>);

impl<'de> de::Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<UniqueObject, A::Error> {
                let mut out = Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(de::Error::custom(DUPLICATE));
                    }
                    let value: Value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(UniqueObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

const DUPLICATE: &str = "seckit: duplicate member name";

pub(crate) enum ObjectError {
    NotObject,
    Duplicate,
}

/// Parses `bytes` as one JSON object with unique member names.
pub(crate) fn object(bytes: &[u8]) -> std::result::Result<Map<String, Value>, ObjectError> {
    match serde_json::from_slice::<UniqueObject>(bytes) {
        Ok(UniqueObject(map)) => Ok(map),
        Err(e) if e.to_string().starts_with(DUPLICATE) => Err(ObjectError::Duplicate),
        Err(_) => Err(ObjectError::NotObject),
    }
}

/// The checked JOSE header.
pub(crate) struct Header {
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
}

/// Decodes and checks the header: JSON object, unique names, `alg` a
/// string and not `none`, no `crit`, no `b64`, no JWE `enc`; `typ` JWT if
/// present, or exactly `required` (and present) when one is required.
pub(crate) fn header(segment: &str, required: Option<&str>) -> Result<Header> {
    let bytes = b64(segment, "malformed header: not canonical base64url")?;
    let mut map = object(&bytes).map_err(|e| match e {
        ObjectError::Duplicate => refuse("duplicate header parameter"),
        ObjectError::NotObject => refuse("malformed header: not a JSON object"),
    })?;
    if map.contains_key("enc") {
        return Err(refuse("encrypted tokens (JWE) are not accepted"));
    }
    if map.contains_key("crit") {
        return Err(refuse("crit header parameter not supported"));
    }
    // RFC 7797 §6: `b64` must be listed in `crit`, which is refused above;
    // a `b64` without `crit` is malformed, and libraries disagree about
    // what such a token signs (the encoded or the raw payload).
    if map.contains_key("b64") {
        return Err(refuse("b64 header parameter not supported (RFC 7797)"));
    }
    let is = |t: &str, want: &str| {
        t.eq_ignore_ascii_case(want)
            || t.get(..12)
                .is_some_and(|p| p.eq_ignore_ascii_case("application/"))
                && t.get(12..)
                    .is_some_and(|rest| rest.eq_ignore_ascii_case(want))
    };
    match (map.get("typ"), required) {
        (Some(typ), None) => {
            if !typ.as_str().is_some_and(|t| is(t, "JWT")) {
                return Err(refuse("typ header is not JWT"));
            }
        }
        (Some(typ), Some(want)) => {
            if !typ.as_str().is_some_and(|t| is(t, want)) {
                return Err(refuse("typ header is not the required type"));
            }
        }
        (None, Some(_)) => return Err(refuse("typ header missing: a type is required")),
        (None, None) => {}
    }
    let alg = match map.remove("alg") {
        Some(Value::String(alg)) => alg,
        Some(_) => return Err(refuse("malformed header: alg is not a string")),
        None => return Err(refuse("malformed header: no alg")),
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(refuse_as(
            AuthReason::AlgorithmNotAllowed,
            "alg none is never accepted",
        ));
    }
    let kid = match map.remove("kid") {
        Some(Value::String(kid)) => Some(kid),
        Some(_) => return Err(refuse("malformed header: kid is not a string")),
        None => None,
    };
    Ok(Header { alg, kid })
}
