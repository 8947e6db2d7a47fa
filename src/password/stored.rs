//! Parsing stored hash strings: PHC (`$argon2id$...`) and bcrypt (`$2b$...`).
//!
//! Stored hashes are untrusted: a database row can be corrupt or tampered
//! with. Everything here checks length, character set and the cost the
//! string demands against [`VerifyLimits`] before any hashing work or
//! allocation, and fails with `password_hash.*` violations, never a panic.

use std::str::FromStr;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Params, Version};

use super::params::VerifyLimits;
use crate::{Error, Result, Violation};

/// The longest stored hash accepted. A PHC string with a 48-byte salt, a
/// 64-byte tag and every parameter is well under this.
pub const MAX_STORED_HASH_LEN: usize = 256;

const FIELD: &str = "password_hash";

/// A parsed stored hash, within limits.
pub(crate) enum Stored {
    Argon2(StoredArgon2),
    Bcrypt(StoredBcrypt),
}

pub(crate) struct StoredArgon2 {
    pub(crate) algorithm: Algorithm,
    pub(crate) version: Version,
    pub(crate) params: Params,
    pub(crate) salt: Vec<u8>,
    pub(crate) tag: Vec<u8>,
    pub(crate) keyid: Option<Vec<u8>>,
}

pub(crate) struct StoredBcrypt {
    /// `2a`, `2b` or `2y`.
    pub(crate) variant: BcryptVariant,
    pub(crate) cost: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BcryptVariant {
    TwoA,
    TwoB,
    TwoY,
}

/// A stored hash the server holds that does not parse: the server's data
/// is at fault, not the client, so this is an internal error (500) whose
/// detail names the rule (`password_hash.malformed`).
pub(crate) const fn corrupt(rule: &'static str) -> Error {
    Error::corrupt_stored("stored password hash refused", Violation::new(FIELD, rule))
}

const fn corrupt_limit(rule: &'static str, limit: usize) -> Error {
    Error::corrupt_stored(
        "stored password hash refused",
        Violation::new(FIELD, rule).with_limit(limit),
    )
}

fn malformed() -> Error {
    corrupt("malformed")
}

fn over_limits() -> Error {
    corrupt("over_verify_limits")
}

/// Parses `stored`, refusing anything malformed, unsupported or over `limits`.
pub(crate) fn parse(stored: &str, limits: &VerifyLimits) -> Result<Stored> {
    if stored.len() > MAX_STORED_HASH_LEN {
        return Err(corrupt_limit("too_long", MAX_STORED_HASH_LEN));
    }
    if !stored.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(malformed());
    }
    if stored.starts_with("$2") {
        parse_bcrypt(stored, limits).map(Stored::Bcrypt)
    } else if stored.starts_with("$argon2") {
        parse_argon2(stored, limits).map(Stored::Argon2)
    } else if stored.starts_with('$') {
        Err(corrupt("unsupported_scheme"))
    } else {
        Err(malformed())
    }
}

fn parse_bcrypt(stored: &str, limits: &VerifyLimits) -> Result<StoredBcrypt> {
    // `$2b$12$` + 22 salt characters + 31 hash characters.
    let bytes = stored.as_bytes();
    if stored.len() != 60 || bytes.get(3) != Some(&b'$') || bytes.get(6) != Some(&b'$') {
        return Err(malformed());
    }
    let variant = match stored.get(..4) {
        Some("$2a$") => BcryptVariant::TwoA,
        Some("$2b$") => BcryptVariant::TwoB,
        Some("$2y$") => BcryptVariant::TwoY,
        // `$2x$` is crypt_blowfish's marker for hashes made by its old
        // sign-extension bug; `$2$` predates 2a. Neither can be checked right.
        _ => return Err(corrupt("unsupported_scheme")),
    };
    let cost_text = stored.get(4..6).ok_or_else(malformed)?;
    if !cost_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    let cost: u32 = cost_text.parse().map_err(|_| malformed())?;
    if !(4..=31).contains(&cost) {
        return Err(malformed());
    }
    if cost > limits.max_bcrypt_cost {
        return Err(over_limits());
    }
    // The salt and hash alphabet and lengths, checked by the bcrypt crate's
    // own parser.
    bcrypt::HashParts::from_str(stored).map_err(|_| malformed())?;
    Ok(StoredBcrypt { variant, cost })
}

fn parse_argon2(stored: &str, limits: &VerifyLimits) -> Result<StoredArgon2> {
    let phc = PasswordHash::new(stored).map_err(|_| malformed())?;
    let algorithm = match phc.algorithm.as_str() {
        "argon2id" => Algorithm::Argon2id,
        "argon2i" => Algorithm::Argon2i,
        "argon2d" => Algorithm::Argon2d,
        _ => return Err(corrupt("unsupported_scheme")),
    };
    let version = match phc.version {
        Some(19) => Version::V0x13,
        // The PHC format lets v be omitted, meaning the original 1.0 (v=16).
        Some(16) | None => Version::V0x10,
        Some(_) => return Err(corrupt("unsupported_version")),
    };
    // m, t and p must all be present: a missing one would silently take the
    // argon2 crate's default and verify against the wrong cost.
    let mut seen = [false; 3];
    for (name, _) in phc.params.iter() {
        match name.as_str() {
            "m" => seen[0] = true,
            "t" => seen[1] = true,
            "p" => seen[2] = true,
            "keyid" | "data" => {}
            _ => return Err(malformed()),
        }
    }
    if seen != [true; 3] {
        return Err(malformed());
    }
    // Building Params validates and costs nothing; memory is allocated only
    // when hashing, after the limits below.
    let params = Params::try_from(&phc).map_err(|_| malformed())?;
    if params.m_cost() > limits.max_m_kib
        || params.t_cost() > limits.max_t
        || params.p_cost() > limits.max_p
    {
        return Err(over_limits());
    }
    let salt = phc.salt.ok_or_else(malformed)?;
    let tag = phc.hash.ok_or_else(malformed)?;
    if salt.len() < argon2::MIN_SALT_LEN || tag.len() < Params::MIN_OUTPUT_LEN {
        return Err(malformed());
    }
    let keyid = (!params.keyid().is_empty()).then(|| params.keyid().to_vec());
    Ok(StoredArgon2 {
        algorithm,
        version,
        params,
        salt: salt.as_ref().to_vec(),
        tag: tag.as_bytes().to_vec(),
        keyid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_default(s: &str) -> Result<Stored> {
        parse(s, &VerifyLimits::default())
    }

    fn rule(s: &str) -> &'static str {
        match parse_default(s) {
            Ok(_) => "ok",
            Err(e) => e.violation().map_or("not a violation", Violation::rule),
        }
    }

    const ARGON: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7N3bnNwjoE8X1GS9ZB0bIXZ5VuNiXxDaT1+5+XoSpDw";
    const BCRYPT: &str = "$2b$12$L6Bc/AlTQHyd9liGgGEZyOFLPHNgyxeEPfgYfBCVxJ7JIlwxyVU3u";

    #[test]
    fn accepts_well_formed_hashes() {
        assert_eq!(rule(ARGON), "ok");
        assert_eq!(rule(&ARGON.replace("argon2id", "argon2i")), "ok");
        assert_eq!(rule(&ARGON.replace("argon2id", "argon2d")), "ok");
        assert_eq!(rule(&ARGON.replace("v=19", "v=16")), "ok");
        assert_eq!(rule(&ARGON.replace("$v=19", "")), "ok");
        assert_eq!(rule(BCRYPT), "ok");
        assert_eq!(rule(&BCRYPT.replace("$2b$", "$2a$")), "ok");
        assert_eq!(rule(&BCRYPT.replace("$2b$", "$2y$")), "ok");
        // Low costs verify (and get upgraded).
        assert_eq!(rule(&ARGON.replace("m=19456,t=2", "m=8,t=1")), "ok");
        assert_eq!(rule(&BCRYPT.replace("$12$", "$04$")), "ok");
    }

    #[test]
    fn refuses_hostile_and_corrupt_hashes() {
        let long = format!("{ARGON}{}", "A".repeat(MAX_STORED_HASH_LEN));
        let cases = [
            ("", "malformed"),
            ("plaintext-password", "malformed"),
            ("$argon2id$", "malformed"),
            (&ARGON[..ARGON.len() - 10], "malformed"),
            (&format!("{ARGON}$extra"), "malformed"),
            (&format!("{ARGON} "), "malformed"),
            (
                &ARGON.replace("c29tZXNhbHRzb21lc2FsdA", "c29t\u{e9}"),
                "malformed",
            ),
            (&ARGON.replace(",p=1", ""), "malformed"),
            (&ARGON.replace("m=19456,", ""), "malformed"),
            (&ARGON.replace("p=1", "p=1,x=2"), "malformed"),
            (
                &ARGON.replace("m=19456", "m=4294967295"),
                "over_verify_limits",
            ),
            (&ARGON.replace("m=19456", "m=4294967296"), "malformed"),
            (&ARGON.replace("t=2", "t=1000000000"), "over_verify_limits"),
            (&ARGON.replace("p=1", "p=255"), "over_verify_limits"),
            (&ARGON.replace("m=19456", "m=1"), "malformed"),
            (&ARGON.replace("v=19", "v=18"), "unsupported_version"),
            (&ARGON.replace("argon2id", "argon2x"), "unsupported_scheme"),
            (
                "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
                "unsupported_scheme",
            ),
            ("$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0", "unsupported_scheme"),
            (&BCRYPT.replace("$12$", "$31$"), "over_verify_limits"),
            (&BCRYPT.replace("$12$", "$99$"), "malformed"),
            (&BCRYPT.replace("$12$", "$03$"), "malformed"),
            (&BCRYPT.replace("$12$", "$+1$"), "malformed"),
            (&BCRYPT.replace("$2b$", "$2x$"), "unsupported_scheme"),
            (&BCRYPT[..59], "malformed"),
            (&format!("{BCRYPT}x"), "malformed"),
            (&BCRYPT.replace('L', "!"), "malformed"),
            (&long, "too_long"),
        ];
        for (input, want) in cases {
            assert_eq!(rule(input), want, "{input}");
        }
    }

    #[test]
    fn limits_are_configurable() {
        let mut limits = VerifyLimits::default();
        let big = ARGON.replace("m=19456", "m=524288");
        assert!(parse(&big, &limits).is_err());
        limits.max_m_kib = 524_288;
        assert!(parse(&big, &limits).is_ok());
        limits.max_bcrypt_cost = 11;
        assert!(parse(BCRYPT, &limits).is_err());
    }
}
