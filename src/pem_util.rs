//! PEM reading shared by `jwt` and `envelope`: one size limit, one error
//! shape, the decoded DER wiped on drop.

use zeroize::Zeroizing;

use crate::{Error, Result};

/// The largest PEM input read, in bytes (a 16384-bit RSA key is ~12 KiB).
pub(crate) const MAX_PEM_LEN: usize = 64 * 1024;

/// The label (`PRIVATE KEY`, `RSA PUBLIC KEY`, …) and DER contents of one
/// PEM block. LF and CRLF line endings are both accepted.
pub(crate) fn read(pem: &[u8], setting: &str) -> Result<(String, Zeroizing<Vec<u8>>)> {
    if pem.len() > MAX_PEM_LEN {
        return Err(Error::configuration(
            setting.to_owned(),
            "is larger than 64 KiB",
        ));
    }
    let parsed =
        pem::parse(pem).map_err(|_| Error::configuration(setting.to_owned(), "is not PEM"))?;
    let tag = parsed.tag().to_owned();
    Ok((tag, Zeroizing::new(parsed.into_contents())))
}
