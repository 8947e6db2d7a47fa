//! `seckit key generate|inspect`: RSA key pairs for envelopes.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use clap::Subcommand;
use seckit::envelope::{PrivateKey, PublicKey};
use seckit::{SecretBytes, SecretString};
use serde_json::json;

use crate::exit::Fail;
use crate::{Done, Out, io};

#[derive(Subcommand)]
pub(crate) enum KeyCmd {
    /// Generate an RSA key pair. The private key file is created new with
    /// mode 0600 (also over an existing file, with --force).
    Generate {
        #[arg(long, default_value_t = 4096)]
        bits: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        public_out: Option<PathBuf>,
        /// Encrypt the private key (PKCS#8, scrypt) with the passphrase in this file.
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
        /// Replace existing files (never writing through a symlink).
        #[arg(long)]
        force: bool,
    },
    /// Describe a key file: kind, bits, format, key id. PEM or DER;
    /// PKCS#8, PKCS#1, SPKI, encrypted PKCS#8 (with --passphrase-file).
    Inspect {
        file: PathBuf,
        #[arg(long)]
        passphrase_file: Option<PathBuf>,
    },
}

/// The passphrase in `file`, if given.
pub(crate) fn passphrase(file: Option<&Path>) -> Result<Option<SecretString>, Fail> {
    file.map(io::secret_file).transpose()
}

/// A key file's contents, told apart by their structure. Short-lived, one
/// at a time: the size difference between the variants does not matter.
#[allow(clippy::large_enum_variant)]
enum KeyFile {
    Private {
        format: &'static str,
        key: PrivateKey,
    },
    Public {
        format: &'static str,
        key: PublicKey,
    },
}

fn wrap_pem(label: &str, der: &[u8]) -> SecretString {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    pem.push_str(&format!("-----BEGIN {label}-----\n"));
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    SecretString::new(pem)
}

/// The PEM label of `text`, if it is PEM.
fn pem_label(text: &str) -> Option<&str> {
    let first = text.trim_start().lines().next()?;
    first.strip_prefix("-----BEGIN ")?.strip_suffix("-----")
}

/// Reads a private or public key from PEM or DER in any format the
/// envelope module imports. Every refusal is the key being unfit: exit 1.
fn read_key(
    path: &Path,
    passphrase: Option<&SecretString>,
) -> Result<(KeyFile, &'static str), Fail> {
    let bytes = io::file_bytes(path, io::MAX_KEY_FILE_LEN)?;
    let refuse = |e: seckit::Error| Fail::Invalid(format!("{}: {e}", path.display()));
    if let Ok(text) = std::str::from_utf8(bytes.expose_secret())
        && let Some(label) = pem_label(text)
    {
        let pem = SecretString::from(text);
        let file = match label {
            "PRIVATE KEY" => KeyFile::Private {
                format: "pkcs8",
                key: PrivateKey::from_pem(&pem, None).map_err(refuse)?,
            },
            "RSA PRIVATE KEY" => KeyFile::Private {
                format: "pkcs1",
                key: PrivateKey::from_pem(&pem, None).map_err(refuse)?,
            },
            "ENCRYPTED PRIVATE KEY" => KeyFile::Private {
                format: "pkcs8-encrypted",
                key: PrivateKey::from_pem(&pem, passphrase).map_err(refuse)?,
            },
            "PUBLIC KEY" => KeyFile::Public {
                format: "spki",
                key: PublicKey::from_pem(text).map_err(refuse)?,
            },
            "RSA PUBLIC KEY" => KeyFile::Public {
                format: "pkcs1",
                key: PublicKey::from_pem(text).map_err(refuse)?,
            },
            _ => {
                return Err(Fail::Invalid(format!(
                    "{}: not a key PEM ({label})",
                    path.display()
                )));
            }
        };
        return Ok((file, "pem"));
    }
    let der: &[u8] = bytes.expose_secret();
    let file = if pkcs8::PrivateKeyInfoRef::try_from(der).is_ok() {
        KeyFile::Private {
            format: "pkcs8",
            key: PrivateKey::from_der(&SecretBytes::from(der)).map_err(refuse)?,
        }
    } else if pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).is_ok() {
        let pem = wrap_pem("ENCRYPTED PRIVATE KEY", der);
        KeyFile::Private {
            format: "pkcs8-encrypted",
            key: PrivateKey::from_pem(&pem, passphrase).map_err(refuse)?,
        }
    } else if pkcs8::SubjectPublicKeyInfoRef::try_from(der).is_ok() {
        KeyFile::Public {
            format: "spki",
            key: PublicKey::from_der(der).map_err(refuse)?,
        }
    } else if let Ok(private) = PrivateKey::from_pem(&wrap_pem("RSA PRIVATE KEY", der), None) {
        KeyFile::Private {
            format: "pkcs1",
            key: private,
        }
    } else {
        let pem = wrap_pem("RSA PUBLIC KEY", der);
        KeyFile::Public {
            format: "pkcs1",
            key: PublicKey::from_pem(pem.expose_secret()).map_err(|_| {
                Fail::Invalid(format!(
                    "{}: not an RSA key in a format the envelope module reads (PKCS#8, PKCS#1, SPKI; PEM or DER)",
                    path.display()
                ))
            })?,
        }
    };
    Ok((file, "der"))
}

/// A private key for opening envelopes.
pub(crate) fn read_private(
    path: &Path,
    passphrase: Option<&SecretString>,
) -> Result<PrivateKey, Fail> {
    match read_key(path, passphrase)?.0 {
        KeyFile::Private { key, .. } => Ok(key),
        KeyFile::Public { .. } => Err(Fail::usage(format!(
            "{}: a public key; opening needs the private key",
            path.display()
        ))),
    }
}

/// A public key to seal to (a private key file gives its public half).
pub(crate) fn read_public(path: &Path) -> Result<PublicKey, Fail> {
    match read_key(path, None)?.0 {
        KeyFile::Public { key, .. } => Ok(key),
        KeyFile::Private { key, .. } => Ok(key.public_key().clone()),
    }
}

pub(crate) fn run(cmd: KeyCmd) -> Out {
    match cmd {
        KeyCmd::Generate {
            bits,
            out,
            public_out,
            passphrase_file,
            force,
        } => {
            let pass = passphrase(passphrase_file.as_deref())?;
            io::check_overwrite(&out, force)?;
            if let Some(p) = &public_out {
                io::check_overwrite(p, force)?;
            }
            let k = PrivateKey::generate_bits(bits).map_err(|e| Fail::usage(e.to_string()))?;
            let pem = k
                .to_pem(pass.as_ref())
                .map_err(|e| Fail::usage(e.to_string()))?;
            io::write_file(&out, pem.expose_secret().as_bytes(), 0o600, force)?;
            if let Some(p) = &public_out {
                let public = k
                    .public_key()
                    .to_pem()
                    .map_err(|e| Fail::usage(e.to_string()))?;
                io::write_file(p, public.as_bytes(), 0o644, force)?;
            }
            let id = k.key_id().to_string();
            Ok(Done::line(
                format!("wrote {} ({bits} bits, key id {id})", out.display()),
                json!({"bits": bits, "key_id": id, "encrypted": pass.is_some()}),
            ))
        }
        KeyCmd::Inspect {
            file,
            passphrase_file,
        } => {
            let pass = passphrase(passphrase_file.as_deref())?;
            let (key, encoding) = read_key(&file, pass.as_ref())?;
            let (kind, format, public) = match &key {
                KeyFile::Private { format, key } => ("private", *format, key.public_key()),
                KeyFile::Public { format, key } => ("public", *format, key),
            };
            let id = public.key_id().to_string();
            Ok(Done::line(
                format!(
                    "{kind} RSA key, {} bits, {format} {encoding}, key id {id}",
                    public.bits()
                ),
                json!({"kind": kind, "algorithm": "RSA", "bits": public.bits(), "format": format,
                       "encoding": encoding, "key_id": id, "envelope_usable": true}),
            ))
        }
    }
}
