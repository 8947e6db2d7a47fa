//! `ValidJson<T>`: a JSON body, size-limited, parsed, then validated with
//! every broken rule reported at once.

use axum::extract::{FromRequest, Request};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::de::DeserializeOwned;

use super::response::{ApiError, RequestContext};
use crate::{Error, Result, Violation, Violations};

/// The default body limit of [`ValidJson`]: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// A request type's own rules, checked after it parsed: implement
/// [`validate`](Validate::validate) by passing each field's check to the
/// [`Checker`], which records every failure with its path.
///
/// This is the two-phase design (parse into plain types, then validate):
/// the request struct is declared once, with `String`s and numbers, and
/// its rules sit next to it. It is chosen over validated newtypes as field
/// types because serde stops at the first field that fails, and over a
/// derive macro because the rules are ordinary code calling seckit's
/// validators (no attribute language to learn, no proc-macro crate).
///
/// # Example
///
/// ```
/// use seckit::axum::{Checker, Validate};
/// use seckit::validate::{Email, Username};
///
/// #[derive(serde::Deserialize)]
/// struct Item { sku: String, quantity: u32 }
///
/// #[derive(serde::Deserialize)]
/// struct Order {
///     #[serde(default)] // missing: reported by the rule, with the others
///     email: String,
///     items: Vec<Item>,
/// }
///
/// impl Validate for Item {
///     fn validate(&self, check: &mut Checker) {
///         check.rule("sku", (1..=32).contains(&self.sku.len()), "length");
///         check.rule("quantity", self.quantity > 0, "zero");
///     }
/// }
///
/// impl Validate for Order {
///     fn validate(&self, check: &mut Checker) {
///         check.field("email", Email::parse(&self.email));
///         check.each("items", &self.items);
///     }
/// }
///
/// let order: Order = serde_json::from_str(r#"{"items":[{"sku":"a","quantity":1},{"sku":"","quantity":0}]}"#).unwrap();
/// let err = seckit::axum::validate(&order).unwrap_err();
/// let paths: Vec<_> = err.violations().map(|(p, _)| p.to_owned()).collect();
/// assert_eq!(paths, ["email", "items[1].sku", "items[1].quantity"]);
/// ```
pub trait Validate {
    /// Records every broken rule in `check`.
    fn validate(&self, check: &mut Checker);
}

/// Runs `value`'s [`Validate`] rules.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind) with every violation.
pub fn validate<T: Validate + ?Sized>(value: &T) -> Result<()> {
    let mut check = Checker::new();
    value.validate(&mut check);
    check.finish()
}

/// Collects violations with their field paths (`items[2].sku`); see
/// [`Validate`]. Paths are made of the field names the code passes and
/// list indices, never of input.
#[derive(Debug, Default)]
pub struct Checker {
    prefix: String,
    found: Violations,
}

impl Checker {
    /// An empty checker at the top of the body.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Records the violations of a seckit validator's result under `name`
    /// (`check.field("email", Email::parse(&body.email))`), and gives the
    /// value back when it passed.
    pub fn field<T>(&mut self, name: &'static str, result: Result<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                let mut any = false;
                for (_, v) in e.violations() {
                    self.found.push(self.path(name), v.clone().with_field(name));
                    any = true;
                }
                if !any {
                    self.found
                        .push(self.path(name), Violation::new(name, "invalid"));
                }
                None
            }
        }
    }

    /// Records `rule` broken on `name` unless `ok`.
    pub fn rule(&mut self, name: &'static str, ok: bool, rule: &'static str) {
        if !ok {
            self.found.push(self.path(name), Violation::new(name, rule));
        }
    }

    /// Records `violation` under `name` (several from one check, such as
    /// [`PasswordPolicy::violations`](crate::password::PasswordPolicy::violations)).
    pub fn violation(&mut self, name: &'static str, violation: Violation) {
        self.found.push(self.path(name), violation);
    }

    /// Validates a nested object under `name`.
    pub fn nested<T: Validate + ?Sized>(&mut self, name: &'static str, value: &T) {
        let inner = self.path(name);
        let outer = std::mem::replace(&mut self.prefix, inner);
        value.validate(self);
        self.prefix = outer;
    }

    /// Validates each element of a list under `name[i]`.
    pub fn each<T: Validate>(&mut self, name: &'static str, items: &[T]) {
        for (i, item) in items.iter().enumerate() {
            let inner = format!("{}[{i}]", self.path(name));
            let outer = std::mem::replace(&mut self.prefix, inner);
            item.validate(self);
            self.prefix = outer;
        }
    }

    /// How many violations were recorded so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// Whether nothing was recorded so far.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// `Ok(())`, or the error holding every violation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) when anything was recorded.
    pub fn finish(self) -> Result<()> {
        self.found.into_result()
    }
}

/// A JSON request body of type `T`, parsed and then checked with `T`'s
/// [`Validate`] rules.
///
/// In order, before any handler code runs:
///
/// 1. `Content-Type` must be `application/json` (or `application/*+json`):
///    else 415.
/// 2. The body is read up to `LIMIT` bytes (default 64 KiB; a
///    `Content-Length` over it is refused before reading): else 413.
/// 3. It must parse as `T`: else 400 with one violation, `body.malformed_json`
///    (not JSON) or `body.wrong_shape` (JSON, not a `T`). serde's message is
///    never sent: it quotes the input.
/// 4. Every rule of `T` is checked: else 400 with **all** violations, each
///    `{"field": "items[2].sku", "code": "too_long", "limit": 32}`.
///
/// Rejections are [`ApiError`]s and emit `input_validation_fail` events.
///
/// # Example
///
/// ```
/// use seckit::axum::{Checker, Validate, ValidJson};
///
/// #[derive(serde::Deserialize)]
/// struct Note { #[serde(default)] text: String }
///
/// impl Validate for Note {
///     fn validate(&self, check: &mut Checker) {
///         check.rule("text", !self.text.is_empty(), "empty");
///         check.rule("text", self.text.len() <= 4096, "too_long");
///     }
/// }
///
/// // 16 KiB for this route instead of the default 64 KiB.
/// async fn create(ValidJson(note): ValidJson<Note, { 16 * 1024 }>) -> String {
///     format!("{} bytes", note.text.len())
/// }
/// # let _ = axum::routing::post::<_, _, ()>(create);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidJson<T, const LIMIT: usize = DEFAULT_BODY_LIMIT>(pub T);

fn is_json(headers: &http::HeaderMap) -> bool {
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or("").trim();
    let Some((top, sub)) = essence.split_once('/') else {
        return false;
    };
    top.eq_ignore_ascii_case("application")
        && (sub.eq_ignore_ascii_case("json")
            || sub.len() > 5
                && sub
                    .get(sub.len().saturating_sub(5)..)
                    .is_some_and(|s| s.eq_ignore_ascii_case("+json")))
}

impl<S, T, const LIMIT: usize> FromRequest<S> for ValidJson<T, LIMIT>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // The audit context is built only for a refusal, not per request.
        let fail = |e: Error| ApiError::new(e, RequestContext::from_parts(&parts));
        if !is_json(&parts.headers) {
            return Err(fail(Error::invalid("body", "unsupported_media_type")));
        }
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > u64::try_from(LIMIT).unwrap_or(u64::MAX)) {
            return Err(fail(Error::invalid_limit("body", "too_large", LIMIT)));
        }
        let bytes = axum::body::to_bytes(body, LIMIT)
            .await
            .map_err(|_| fail(Error::invalid_limit("body", "too_large", LIMIT)))?;
        let value: T = serde_json::from_slice(&bytes).map_err(|e| {
            fail(match e.classify() {
                serde_json::error::Category::Data => Error::invalid("body", "wrong_shape"),
                _ => Error::invalid("body", "malformed_json"),
            })
        })?;
        validate(&value).map_err(fail)?;
        Ok(Self(value))
    }
}
