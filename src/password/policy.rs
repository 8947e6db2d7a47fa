//! Rules for choosing a new password (NIST SP 800-63B §3.1.1.2).

use std::sync::OnceLock;

use crate::{Error, Result, SecretString, Violation};

/// The denylist: see `src/password/data/README.md` for its source and licence.
const COMMON_PASSWORDS: &str = include_str!("data/common-passwords.txt");

/// Usernames and e-mail local parts shorter than this are only compared for
/// equality, not searched for inside the password ("al" would otherwise
/// refuse "totally-fine-passphrase").
const MIN_CONTAINED_LEN: usize = 3;

fn common_passwords() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| COMMON_PASSWORDS.lines().collect())
}

/// How many passwords the common-password denylist holds (30,000).
///
/// # Example
///
/// ```
/// assert_eq!(seckit::password::common_password_count(), 30_000);
/// ```
#[must_use]
pub fn common_password_count() -> usize {
    common_passwords().len()
}

/// Checks a *new* password against NIST SP 800-63B's rules: a minimum and a
/// generous maximum length counted in Unicode characters, no password from
/// leaked-password lists (30,000 entries, compared case-insensitively), and
/// not the user's own name or e-mail.
///
/// It deliberately has no composition rules (digits, symbols, mixed case):
/// NIST advises against them. It applies no Unicode normalization.
///
/// # Example
///
/// ```
/// use seckit::password::PasswordPolicy;
///
/// let policy = PasswordPolicy::default(); // 8..=128 characters, denylist on
/// let codes: Vec<String> = policy
///     .violations(&"dragon".into(), Some("dragon"), Some("dragon@example.com"))
///     .iter()
///     .map(|v| v.code())
///     .collect();
/// assert_eq!(codes, ["password.too_short", "password.common", "password.contains_username", "password.contains_email"]);
/// assert!(policy.check(&"a long, uncommon passphrase".into(), Some("alice"), None).is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    min_chars: usize,
    max_chars: usize,
    denylist: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: 8,
            max_chars: 128,
            denylist: true,
        }
    }
}

impl PasswordPolicy {
    /// The same policy with another minimum length.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) below 8 (NIST's
    /// minimum) or above the maximum.
    pub fn min_chars(mut self, min: usize) -> Result<Self> {
        if min < 8 || min > self.max_chars {
            return Err(Error::configuration(
                "password_policy.min_chars",
                "must be at least 8 and at most the maximum",
            ));
        }
        self.min_chars = min;
        Ok(self)
    }

    /// The same policy with another maximum length.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Configuration`](crate::ErrorKind) below 64 (NIST: allow at
    /// least 64) or above 1024.
    pub fn max_chars(mut self, max: usize) -> Result<Self> {
        if !(64..=1024).contains(&max) || max < self.min_chars {
            return Err(Error::configuration(
                "password_policy.max_chars",
                "must be 64 to 1024",
            ));
        }
        self.max_chars = max;
        Ok(self)
    }

    /// The same policy without the common-password check (for tests, or when
    /// a breached-password service does that job).
    #[must_use]
    pub const fn without_denylist(mut self) -> Self {
        self.denylist = false;
        self
    }

    /// Every rule the password breaks, in a fixed order; empty when it is
    /// acceptable. Codes: `password.too_short`, `password.too_long` (each
    /// with its limit), `password.common`, `password.contains_username`,
    /// `password.contains_email`.
    #[must_use]
    pub fn violations(
        &self,
        password: &SecretString,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Vec<Violation> {
        let password = password.expose_secret();
        let mut found = Vec::new();
        // Bound the work before counting: no character is over 4 bytes.
        let chars = if password.len() > self.max_chars.saturating_mul(4) {
            usize::MAX
        } else {
            password.chars().count()
        };
        if chars < self.min_chars {
            found.push(Violation::new("password", "too_short").with_limit(self.min_chars));
        }
        if chars > self.max_chars {
            found.push(Violation::new("password", "too_long").with_limit(self.max_chars));
            // Too long for the remaining checks to be worth doing.
            return found;
        }
        let lower = password.to_lowercase();
        if self.denylist && common_passwords().binary_search(&lower.as_str()).is_ok() {
            found.push(Violation::new("password", "common"));
        }
        if username.is_some_and(|u| resembles(&lower, u)) {
            found.push(Violation::new("password", "contains_username"));
        }
        let local_part = email.map(|e| e.rsplit_once('@').map_or(e, |(local, _)| local));
        if local_part.is_some_and(|l| resembles(&lower, l)) {
            found.push(Violation::new("password", "contains_email"));
        }
        found
    }

    /// The first rule the password breaks, as an error.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind) with the first of
    /// [`violations`](Self::violations).
    ///
    /// # Example
    ///
    /// ```
    /// use seckit::SecretString;
    /// use seckit::password::PasswordPolicy;
    ///
    /// let policy = PasswordPolicy::default();
    /// policy.check(&SecretString::from("correct horse battery staple"), Some("ada"), None)?;
    /// let err = policy.check(&SecretString::from("password123"), Some("ada"), None).unwrap_err();
    /// assert_eq!(err.violation().map(|v| v.code()).as_deref(), Some("password.common"));
    /// # Ok::<(), seckit::Error>(())
    /// ```
    pub fn check(
        &self,
        password: &SecretString,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Result<()> {
        match self
            .violations(password, username, email)
            .into_iter()
            .next()
        {
            Some(v) => Err(v.into()),
            None => Ok(()),
        }
    }
}

/// Whether the (lowercased) password equals `name`, or contains it when
/// `name` is long enough to mean something.
fn resembles(lower_password: &str, name: &str) -> bool {
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return false;
    }
    lower_password == name
        || (name.chars().count() >= MIN_CONTAINED_LEN && lower_password.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(p: &PasswordPolicy, pw: &str, user: Option<&str>, email: Option<&str>) -> Vec<String> {
        p.violations(&SecretString::from(pw), user, email)
            .iter()
            .map(Violation::code)
            .collect()
    }

    #[test]
    fn denylist_is_large_sorted_and_lowercase() {
        let list = common_passwords();
        assert!(list.len() >= 10_000);
        assert!(list.windows(2).all(|w| w[0] < w[1]));
        assert!(list.iter().all(|w| *w == w.to_lowercase() && !w.is_empty()));
        for known in [
            "password",
            "123456",
            "qwerty",
            "iloveyou",
            "trustno1",
            "password1",
        ] {
            assert!(list.binary_search(&known).is_ok(), "{known}");
        }
    }

    #[test]
    fn rules() {
        let p = PasswordPolicy::default();
        assert_eq!(
            codes(&p, "Tr0ub4dor&3-horse", None, None),
            Vec::<String>::new()
        );
        assert_eq!(codes(&p, "short", None, None), ["password.too_short"]);
        assert_eq!(codes(&p, "PassWord1", None, None), ["password.common"]);
        assert_eq!(
            codes(&p, &"x".repeat(129), None, None),
            ["password.too_long"]
        );
        assert_eq!(
            codes(&p, &"x".repeat(128), None, None),
            Vec::<String>::new()
        );
        assert_eq!(
            codes(&p, &"é".repeat(8), None, None),
            Vec::<String>::new(),
            "characters, not bytes"
        );
        assert_eq!(
            codes(&p, &"é".repeat(7), None, None),
            ["password.too_short"]
        );
        assert_eq!(
            codes(&p, "my-name-is-Bob-Smith!", Some("bobsmith"), None),
            Vec::<String>::new()
        );
        assert_eq!(
            codes(&p, "i-am-BOBSMITH-really", Some("bobsmith"), None),
            ["password.contains_username"]
        );
        assert_eq!(
            codes(
                &p,
                "carol.jones.2024",
                None,
                Some("Carol.Jones@example.com")
            ),
            ["password.contains_email"]
        );
        assert_eq!(
            codes(&p, "totally-al-fine", Some("al"), None),
            Vec::<String>::new()
        );
        assert_eq!(
            codes(&p, "alalalal", Some("ALALALAL"), None),
            ["password.contains_username"]
        );
        let v = p.violations(&"short".into(), None, None);
        assert_eq!(v[0].limit(), Some(8));
        assert_eq!(
            p.check(&"short".into(), None, None)
                .unwrap_err()
                .to_string(),
            "invalid input: password.too_short (limit 8)"
        );
        assert_eq!(
            codes(&p.clone().without_denylist(), "password1", None, None),
            Vec::<String>::new()
        );
    }

    #[test]
    fn configuration_bounds() {
        assert!(PasswordPolicy::default().min_chars(7).is_err());
        assert!(PasswordPolicy::default().min_chars(12).is_ok());
        assert!(PasswordPolicy::default().max_chars(63).is_err());
        assert!(PasswordPolicy::default().max_chars(64).is_ok());
        assert!(PasswordPolicy::default().max_chars(1025).is_err());
        let p = PasswordPolicy::default().min_chars(12).unwrap();
        assert_eq!(codes(&p, "elevenchars", None, None), ["password.too_short"]);
    }
}
