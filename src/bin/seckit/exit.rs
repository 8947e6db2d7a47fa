//! The exit-code contract: 0 success or valid, 1 the checked thing is
//! invalid, 2 usage or I/O. Every command decides from an error's kind and
//! structured reason ([`seckit::AuthReason`], [`seckit::Violation`]), never
//! from its text.

use std::process::ExitCode;

use seckit::{Error, ErrorKind};

/// How a command failed.
#[derive(Debug)]
pub(crate) enum Fail {
    /// The checked thing is invalid (a wrong password, a refused token, a
    /// weak secret, an envelope that does not open, a value that breaks a
    /// rule): exit 1, with the reason on stderr.
    Invalid(String),
    /// Usage or I/O: exit 2, with the reason on stderr.
    Usage(String),
    /// Standard output was closed by its reader (`seckit … | head -c1`):
    /// exit without a word, 0 when only a result line was cut, 2 when a
    /// stream (an envelope, a plaintext) was cut short.
    ClosedStdout { stream: bool },
}

impl Fail {
    /// An error of a check the command exists to make: `Unauthenticated`
    /// (and, for `secret check` and the like, the error of the check itself)
    /// is exit 1; everything else exit 2.
    pub(crate) fn checked(e: &Error) -> Self {
        match e.kind() {
            ErrorKind::Unauthenticated | ErrorKind::InvalidInput => Self::Invalid(e.to_string()),
            _ => Self::Usage(e.to_string()),
        }
    }

    /// An error where only `Unauthenticated` means "invalid".
    pub(crate) fn from_error(e: &Error) -> Self {
        if e.kind() == ErrorKind::Unauthenticated {
            Self::Invalid(e.to_string())
        } else {
            Self::Usage(e.to_string())
        }
    }

    /// An error of a check whose every failure means "invalid" (a key the
    /// envelope module refuses, a secret too weak).
    pub(crate) fn invalid(e: &Error) -> Self {
        Self::Invalid(e.to_string())
    }

    pub(crate) fn usage(reason: impl Into<String>) -> Self {
        Self::Usage(reason.into())
    }

    /// An I/O error on the command's output: a closed stdout is quiet.
    pub(crate) fn output(e: &std::io::Error, what: &str, stream: bool) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Self::ClosedStdout { stream }
        } else {
            Self::Usage(format!("{what}: {e}"))
        }
    }

    pub(crate) fn code(&self) -> ExitCode {
        match self {
            Self::Invalid(_) => ExitCode::from(1),
            Self::Usage(_) => ExitCode::from(2),
            Self::ClosedStdout { stream } => ExitCode::from(if *stream { 2 } else { 0 }),
        }
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Self::from_error(&e)
    }
}
