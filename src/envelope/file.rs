//! Opening an envelope into a file that appears only once it authenticated.

use std::fs::{File, OpenOptions};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::stream::Opener;
use crate::{Error, Result};

/// The longest file name most file systems take (ext4, XFS, APFS, NTFS in
/// UTF-16 units; POSIX `NAME_MAX` on Linux), in bytes.
const MAX_FILE_NAME_LEN: usize = 255;

/// What `.<name>.<16 hex>.partial` adds to `<name>`: the leading dot, the
/// dot before the hex, 16 hex digits and `.partial`.
const PARTIAL_OVERHEAD: usize = 1 + 1 + 16 + 8;

fn io_failed(_: std::io::Error) -> Error {
    Error::internal("envelope file i/o failed")
}

pub(crate) fn open_into_file<R: std::io::Read>(
    opener: &Opener<'_>,
    input: R,
    dst: &Path,
    ad: &[u8],
) -> Result<u64> {
    let tmp = partial_path(dst)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&tmp).map_err(io_failed)?;
    let result = (|| {
        let mut writer = BufWriter::new(file);
        let n = opener.open_stream(input, &mut writer, ad)?;
        let file = writer
            .into_inner()
            .map_err(|_| Error::internal("envelope file i/o failed"))?;
        file.sync_all().map_err(io_failed)?;
        std::fs::rename(&tmp, dst).map_err(io_failed)?;
        Ok(n)
    })();
    match result {
        Ok(n) => {
            // The rename is durable only once the directory is synced.
            sync_dir(dst)?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Syncs the directory holding `path`, so a rename into it survives a
/// crash. Windows has no directory handles to sync; there it is a no-op.
#[cfg(unix)]
fn sync_dir(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_failed)
}

#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> Result<()> {
    Ok(())
}

/// `.<name>.<random>.partial` beside `dst`, `<name>` cut (on a character
/// boundary) so that the whole stays within [`MAX_FILE_NAME_LEN`].
fn partial_path(dst: &Path) -> Result<PathBuf> {
    let mut suffix = [0u8; 8];
    crate::random::fill(&mut suffix)?;
    let mut hex = [0u8; 16];
    let suffix =
        base16ct::lower::encode_str(&suffix, &mut hex).map_err(|_| Error::internal("hex"))?;
    let name = dst
        .file_name()
        .ok_or_else(|| Error::invalid("dst", "no_file_name"))?
        .to_string_lossy();
    let mut keep = name
        .len()
        .min(MAX_FILE_NAME_LEN.saturating_sub(PARTIAL_OVERHEAD));
    while !name.is_char_boundary(keep) {
        keep = keep.saturating_sub(1);
    }
    let short = name.get(..keep).unwrap_or_default();
    Ok(dst.with_file_name(format!(".{short}.{suffix}.partial")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_names_fit_the_file_name_limit() {
        for name in ["a".repeat(255), "é".repeat(127), "short".to_owned()] {
            let p = partial_path(&Path::new("/tmp").join(&name)).unwrap();
            let file = p.file_name().unwrap().to_str().unwrap();
            assert!(file.len() <= MAX_FILE_NAME_LEN, "{}", file.len());
            assert!(file.starts_with('.') && file.ends_with(".partial"));
        }
        let p = partial_path(Path::new("/tmp/short")).unwrap();
        assert!(
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(".short.")
        );
    }
}
