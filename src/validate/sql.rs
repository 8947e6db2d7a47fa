//! SQL identifiers for the rare places a query needs a dynamic name.

use super::string_newtype;
use crate::{Error, Result};

const FIELD: &str = "sql_identifier";
/// PostgreSQL's NAMEDATALEN - 1: it silently truncates longer names.
const MAX_LEN: usize = 63;

/// Words reserved in PostgreSQL, MySQL, SQLite or SQL:2016 that are likely
/// to be tried as identifiers, upper case, sorted for binary search.
const RESERVED: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "ANALYZE",
    "AND",
    "ANY",
    "ARRAY",
    "AS",
    "ASC",
    "BETWEEN",
    "BOTH",
    "BY",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_ROLE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "CURRENT_USER",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "FALSE",
    "FETCH",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GRANT",
    "GROUP",
    "HAVING",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "LEADING",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "NATURAL",
    "NOT",
    "NULL",
    "OFFSET",
    "ON",
    "ONLY",
    "OR",
    "ORDER",
    "OUTER",
    "PRIMARY",
    "REFERENCES",
    "REPLACE",
    "RETURNING",
    "REVOKE",
    "RIGHT",
    "SELECT",
    "SESSION_USER",
    "SET",
    "SOME",
    "TABLE",
    "THEN",
    "TO",
    "TRAILING",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USER",
    "USING",
    "VALUES",
    "VIEW",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
];

/// Options for [`SqlIdentifier`].
///
/// # Example
///
/// ```
/// use seckit::validate::{SqlIdentifier, SqlOptions};
///
/// assert!(SqlIdentifier::parse("user").is_err()); // reserved
/// let mut options = SqlOptions::default();
/// options.refuse_reserved = false; // only if every use is quoted
/// assert!(SqlIdentifier::parse_with("user", &options).is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqlOptions {
    /// Refuse reserved words (`select`, `user`, `order`, … in any case).
    /// On by default.
    pub refuse_reserved: bool,
}

impl Default for SqlOptions {
    fn default() -> Self {
        Self {
            refuse_reserved: true,
        }
    }
}

/// The SQL dialect whose quoting [`SqlIdentifier::quoted`] uses.
///
/// # Example
///
/// ```
/// use seckit::validate::{SqlDialect, SqlIdentifier};
///
/// let column = SqlIdentifier::parse("created_at")?;
/// assert_eq!(column.quoted(SqlDialect::Postgres), "\"created_at\"");
/// assert_eq!(column.quoted(SqlDialect::MySql), "`created_at`");
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlDialect {
    /// PostgreSQL: `"name"`.
    Postgres,
    /// SQLite: `"name"`.
    Sqlite,
    /// MySQL and MariaDB: `` `name` ``.
    MySql,
}

/// A SQL identifier (table, column, schema name): `[A-Za-z_][A-Za-z0-9_]*`,
/// at most 63 bytes (PostgreSQL silently truncates longer names, so two
/// long names could collide), and by default not a reserved word.
///
/// This is for the few places a query needs a dynamic *name* (a sort column
/// chosen by the client, a per-tenant schema). It complements parameterized
/// queries and never replaces them: values always go in as parameters.
/// Prefer an allow-list of known names where one exists.
///
/// # Example
///
/// ```
/// use seckit::validate::{SqlDialect, SqlIdentifier};
///
/// let column = SqlIdentifier::parse("created_at")?;
/// let sql = format!("SELECT id FROM orders ORDER BY {} DESC LIMIT $1", column.quoted(SqlDialect::Postgres));
/// assert_eq!(sql, r#"SELECT id FROM orders ORDER BY "created_at" DESC LIMIT $1"#);
/// assert!(SqlIdentifier::parse("id; DROP TABLE orders").is_err());
/// assert!(SqlIdentifier::parse("user").is_err()); // reserved
/// # Ok::<(), seckit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SqlIdentifier(String);

impl SqlIdentifier {
    /// Parses with the default options (reserved words refused).
    ///
    /// # Errors
    ///
    /// `InvalidInput` with field `sql_identifier` and rule `empty`,
    /// `too_long` (limit 63), `invalid_start`, `invalid_char` or `reserved`.
    pub fn parse(input: &str) -> Result<Self> {
        Self::parse_with(input, &SqlOptions::default())
    }

    /// Parses with `options`.
    ///
    /// # Errors
    ///
    /// As [`SqlIdentifier::parse`].
    pub fn parse_with(input: &str, options: &SqlOptions) -> Result<Self> {
        let bytes = input.as_bytes();
        let Some(&first) = bytes.first() else {
            return Err(Error::invalid(FIELD, "empty"));
        };
        if bytes.len() > MAX_LEN {
            return Err(Error::invalid_limit(FIELD, "too_long", MAX_LEN));
        }
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return Err(Error::invalid(FIELD, "invalid_start"));
        }
        if !bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(Error::invalid(FIELD, "invalid_char"));
        }
        if options.refuse_reserved && is_reserved(input) {
            return Err(Error::invalid(FIELD, "reserved"));
        }
        Ok(Self(input.to_owned()))
    }

    /// The identifier quoted for `dialect`. The charset excludes every quote
    /// character, so quoting cannot be broken out of; it also keeps the
    /// name's case in PostgreSQL and SQLite.
    #[must_use]
    pub fn quoted(&self, dialect: SqlDialect) -> String {
        let q = match dialect {
            SqlDialect::MySql => '`',
            SqlDialect::Postgres | SqlDialect::Sqlite => '"',
        };
        let mut out = String::with_capacity(self.0.len().saturating_add(2));
        out.push(q);
        out.push_str(&self.0);
        out.push(q);
        out
    }
}

fn is_reserved(word: &str) -> bool {
    let mut upper = [0u8; MAX_LEN];
    let Some(buf) = upper.get_mut(..word.len()) else {
        return false;
    };
    for (dst, src) in buf.iter_mut().zip(word.bytes()) {
        *dst = src.to_ascii_uppercase();
    }
    RESERVED.binary_search_by(|w| w.as_bytes().cmp(buf)).is_ok()
}

string_newtype!(SqlIdentifier);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_list_is_sorted_and_checked_in_any_case() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
        for w in ["select", "Select", "USER", "order", "table"] {
            assert_eq!(
                SqlIdentifier::parse(w)
                    .unwrap_err()
                    .violation()
                    .unwrap()
                    .rule(),
                "reserved",
                "{w}"
            );
        }
        let lax = SqlOptions {
            refuse_reserved: false,
        };
        SqlIdentifier::parse_with("user", &lax).unwrap();
        SqlIdentifier::parse("users").unwrap();
    }

    #[test]
    fn charset_and_length() {
        let rule = |s: &str| {
            SqlIdentifier::parse(s)
                .unwrap_err()
                .violation()
                .unwrap()
                .rule()
        };
        assert_eq!(rule(""), "empty");
        assert_eq!(rule("1abc"), "invalid_start");
        assert_eq!(rule("a-b"), "invalid_char");
        assert_eq!(rule("a\"b"), "invalid_char");
        assert_eq!(rule("a`b"), "invalid_char");
        assert_eq!(rule("ä"), "invalid_start");
        assert_eq!(rule(&"a".repeat(64)), "too_long");
        SqlIdentifier::parse(&"a".repeat(63)).unwrap();
        SqlIdentifier::parse("_x9").unwrap();
        let id = SqlIdentifier::parse("Orders").unwrap();
        assert_eq!(id.quoted(SqlDialect::MySql), "`Orders`");
        assert_eq!(id.quoted(SqlDialect::Sqlite), "\"Orders\"");
    }
}
