//! Registered claims (RFC 7519 §4.1) as seckit reads and checks them.

use serde_json::{Map, Value};

use super::token::refuse_as;
use super::{Algorithm, MAX_NUMERIC_DATE};
use crate::AuthReason;
use crate::Result;

/// The registered claims of a verified token, already checked against the
/// verifier's rules. Times are Unix seconds.
///
/// # Example
///
/// ```
/// use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier};
///
/// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
/// let verifier = Verifier::new(key.verifying_key()).ignore_issuer().ignore_audience();
/// let token = Issuer::new(key).issue_for("user-42", &serde_json::json!({}))?;
/// let registered = verifier.verify::<serde_json::Value>(&token)?.registered;
/// assert_eq!(registered.sub.as_deref(), Some("user-42"));
/// assert!(registered.exp > registered.iat.unwrap_or(0));
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RegisteredClaims {
    /// `iss`: who issued the token.
    pub iss: Option<String>,
    /// `sub`: whom the token is about.
    pub sub: Option<String>,
    /// `aud`: the audiences, whether the token gave a string or an array.
    pub aud: Vec<String>,
    /// `exp`: expiry. Always present in a verified token.
    pub exp: u64,
    /// `nbf`: not valid before.
    pub nbf: Option<u64>,
    /// `iat`: issued at.
    pub iat: Option<u64>,
    /// `jti`: the token's unique id.
    pub jti: Option<String>,
}

/// What [`Verifier::verify`](super::Verifier::verify) returns: your typed
/// claims, the registered claims, and the header fields that selected the
/// key.
///
/// # Example
///
/// ```
/// use serde::Deserialize;
/// use seckit::jwt::{Algorithm, Issuer, SigningKey, Verifier};
///
/// #[derive(Deserialize)]
/// struct Claims {
///     sub: String,
///     role: String,
/// }
///
/// let key = SigningKey::hmac(Algorithm::HS256, &seckit::random::secret_bytes(32)?)?;
/// let verifier = Verifier::new(key.verifying_key()).ignore_issuer().ignore_audience();
/// let token = Issuer::new(key).issue_for("user-42", &serde_json::json!({"role": "admin"}))?;
/// let verified = verifier.verify::<Claims>(&token)?;
/// assert_eq!((verified.claims.sub.as_str(), verified.claims.role.as_str()), ("user-42", "admin"));
/// assert_eq!(verified.alg, Algorithm::HS256);
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Verified<C> {
    /// The token's claims as your type. Deserialized from the whole claims
    /// object, so `C` may also declare registered claims such as `sub`.
    pub claims: C,
    /// The registered claims.
    pub registered: RegisteredClaims,
    /// The algorithm (the selected key's, which the token's matched).
    pub alg: Algorithm,
    /// The `kid` header, if the token had one.
    pub kid: Option<String>,
}

/// Reads the registered claims, refusing malformed ones. `exp` is required.
pub(crate) fn registered(map: &Map<String, Value>) -> Result<RegisteredClaims> {
    let exp = map
        .get("exp")
        .ok_or_else(|| refuse_as(AuthReason::InvalidClaims, "missing exp claim"))?;
    Ok(RegisteredClaims {
        iss: string(map, "iss", "malformed iss claim")?,
        sub: string(map, "sub", "malformed sub claim")?,
        aud: audience(map.get("aud"))?,
        exp: numeric_date(exp, Round::Down)?,
        nbf: map
            .get("nbf")
            .map(|v| numeric_date(v, Round::Up))
            .transpose()?,
        iat: map
            .get("iat")
            .map(|v| numeric_date(v, Round::Up))
            .transpose()?,
        jti: string(map, "jti", "malformed jti claim")?,
    })
}

fn string(map: &Map<String, Value>, name: &str, reason: &'static str) -> Result<Option<String>> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(refuse_as(AuthReason::InvalidClaims, reason)),
    }
}

fn audience(aud: Option<&Value>) -> Result<Vec<String>> {
    match aud {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| refuse_as(AuthReason::InvalidClaims, "malformed aud claim"))
            })
            .collect(),
        Some(_) => Err(refuse_as(AuthReason::InvalidClaims, "malformed aud claim")),
    }
}

#[derive(Clone, Copy)]
enum Round {
    /// For `exp`: a fractional expiry is treated as the second before.
    Down,
    /// For `nbf` and `iat`: a fractional start as the second after.
    Up,
}

/// A NumericDate: a JSON number (never a string), 0 to year 9999. Fractions
/// are rounded in the direction that shortens validity.
fn numeric_date(v: &Value, round: Round) -> Result<u64> {
    let bad = || {
        refuse_as(
            AuthReason::InvalidClaims,
            "numeric date claim is not a number in range",
        )
    };
    let Value::Number(n) = v else {
        return Err(bad());
    };
    let secs = if let Some(u) = n.as_u64() {
        u
    } else {
        let f = n.as_f64().ok_or_else(bad)?;
        // MAX_NUMERIC_DATE is far below 2^53, so the range check is exact.
        #[allow(clippy::cast_precision_loss, clippy::as_conversions)]
        let max = MAX_NUMERIC_DATE as f64;
        if !f.is_finite() || f < 0.0 || f > max {
            return Err(bad());
        }
        let r = match round {
            Round::Down => f.floor(),
            Round::Up => f.ceil(),
        };
        // In range and integral after the check above.
        #[allow(
            clippy::as_conversions,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let secs = r as u64;
        secs
    };
    if secs > MAX_NUMERIC_DATE {
        return Err(bad());
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reg(v: Value) -> Result<RegisteredClaims> {
        let Value::Object(map) = v else {
            unreachable!()
        };
        registered(&map)
    }

    #[test]
    fn numeric_dates_are_numbers_in_range_rounded_towards_shorter_validity() {
        let r = reg(json!({"exp": 100.9, "nbf": 10.1, "iat": 10.0})).unwrap();
        assert_eq!((r.exp, r.nbf, r.iat), (100, Some(11), Some(10)));
        for bad in [
            json!("100"),
            json!(-1),
            json!(-0.5),
            json!(1e300),
            json!(253_402_300_800_u64),
            json!(null),
            json!(true),
        ] {
            let e = reg(json!({"exp": bad})).unwrap_err();
            assert!(e.to_string().contains("numeric date"), "{e}");
        }
    }

    #[test]
    fn exp_is_required_and_aud_is_string_or_array_of_strings() {
        assert!(
            reg(json!({}))
                .unwrap_err()
                .to_string()
                .contains("missing exp")
        );
        assert_eq!(reg(json!({"exp": 1, "aud": "a"})).unwrap().aud, ["a"]);
        assert_eq!(
            reg(json!({"exp": 1, "aud": ["a", "b"]})).unwrap().aud,
            ["a", "b"]
        );
        assert!(reg(json!({"exp": 1, "aud": ["a", 1]})).is_err());
        assert!(reg(json!({"exp": 1, "aud": {"a": 1}})).is_err());
        assert!(reg(json!({"exp": 1, "iss": 5})).is_err());
    }
}
