//! Collect-all validation for forms.

use std::fmt;

use crate::{Error, Result, Violation};

/// Collects every violation of a form or request instead of stopping at the
/// first, each with its field and a stable code for translation.
///
/// # Example
///
/// ```
/// use seckit::validate::{Email, Report, Username};
///
/// let mut report = Report::new();
/// let name = report.check(Username::parse("ok_name"));
/// let email = report.check_field("billing_email", Email::parse("not an email"));
/// assert!(name.is_some() && email.is_none());
/// let err = report.into_result().unwrap_err();
/// assert_eq!(err.to_string(), "1 invalid field: billing_email.malformed");
/// assert_eq!(err.violations()[0].code(), "billing_email.malformed");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "a report only helps if its violations are looked at"]
pub struct Report {
    violations: Vec<Violation>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of an `Ok`, records the violation of an `Err`.
    /// An error that is not `InvalidInput` is recorded as `input.invalid`.
    pub fn check<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.violations.push(violation_of(&e));
                None
            }
        }
    }

    /// [`check`](Report::check), reporting the violation under `field`
    /// (the form's name for it).
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::validate::{Email, Report, Username};
    ///
    /// let mut report = Report::new();
    /// let name = report.check_field("name", Username::parse("ada lovelace"));
    /// let email = report.check_field("contact", Email::parse("ada@example.org"));
    /// assert!(name.is_none() && email.is_some());
    /// let codes: Vec<String> = report.violations().iter().map(|v| v.code()).collect();
    /// assert_eq!(codes, ["name.invalid_char"]);
    /// ```
    pub fn check_field<T>(&mut self, field: &'static str, result: Result<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.violations.push(violation_of(&e).with_field(field));
                None
            }
        }
    }

    /// Records a violation of your own rule.
    pub fn push(&mut self, violation: Violation) {
        self.violations.push(violation);
    }

    /// Everything recorded, in order.
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    /// `Ok(())` when empty, else the report itself as the error.
    ///
    /// # Errors
    ///
    /// The report, when it holds any violation.
    pub fn into_result(self) -> std::result::Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

fn violation_of(e: &Error) -> Violation {
    e.violation()
        .cloned()
        .unwrap_or(Violation::new("input", "invalid"))
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        write!(f, "{n} invalid field{}", if n == 1 { "" } else { "s" })?;
        for (i, v) in self.violations.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { ", " })?;
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Report {}

/// The first violation, for code that only propagates one `seckit::Error`.
impl From<Report> for Error {
    fn from(report: Report) -> Self {
        Self::InvalidInput(
            report
                .violations
                .into_iter()
                .next()
                .unwrap_or(Violation::new("input", "invalid")),
        )
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl serde::Serialize for Report {
    /// `[{"field", "rule", "code", "limit"}, …]`: ready for a 400 response body.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap as _, SerializeSeq as _};
        struct One<'a>(&'a Violation);
        impl serde::Serialize for One<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(4))?;
                m.serialize_entry("field", self.0.field())?;
                m.serialize_entry("rule", self.0.rule())?;
                m.serialize_entry("code", &self.0.code())?;
                m.serialize_entry("limit", &self.0.limit())?;
                m.end()
            }
        }
        let mut seq = s.serialize_seq(Some(self.violations.len()))?;
        for v in &self.violations {
            seq.serialize_element(&One(v))?;
        }
        seq.end()
    }
}
