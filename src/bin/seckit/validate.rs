//! `seckit validate KIND VALUE`: the library's validators from the shell.
//! A valid value prints in its normalized form; an invalid one exits 1
//! with the broken rule's code on stderr, and is never echoed.

use std::path::PathBuf;

use clap::ValueEnum;
use seckit::validate::{
    self, Email, Filename, KvKey, OriginAllowList, PositiveId, SqlIdentifier, Tag, Tags, Text,
    UnicodeUsername, UserId, Username,
};
use serde_json::{Value, json};

use crate::exit::Fail;
use crate::{Done, Out, io};

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Kind {
    Username,
    UserId,
    UnicodeUsername,
    Email,
    Text,
    Tag,
    Tags,
    KvKey,
    SqlIdentifier,
    Filename,
    Path,
    Origin,
    PositiveId,
    Uri,
    OutboundUrl,
}

#[derive(clap::Args)]
pub(crate) struct ValidateArgs {
    kind: Kind,
    /// The value; `-` reads one line of stdin (for values that start with a
    /// dash or should not sit in shell history).
    #[arg(allow_hyphen_values = true)]
    value: String,
    /// For `path`: the root directory the value must stay inside.
    #[arg(long)]
    root: Option<PathBuf>,
    /// For `origin`: an allowed origin (repeatable).
    #[arg(long = "allow")]
    allow: Vec<String>,
    /// For `outbound-url`: also resolve the host and check every address.
    #[arg(long)]
    resolve: bool,
    /// For `outbound-url`: accept `http` too.
    #[arg(long)]
    allow_http: bool,
}

/// The violation code of a refusal (`username.invalid_char`), exit 1.
fn refused(e: &seckit::Error) -> Fail {
    match e.violation() {
        Some(v) => Fail::Invalid(v.code()),
        None => Fail::checked(e),
    }
}

pub(crate) fn run(args: ValidateArgs) -> Out {
    let owned;
    let value = if args.value == "-" {
        owned = io::stdin_line("value")?;
        owned.expose_secret().as_str()
    } else {
        args.value.as_str()
    };
    let (shown, extra): (String, Option<(&str, Value)>) = match args.kind {
        Kind::Username => {
            let v = Username::parse(value).map_err(|e| refused(&e))?;
            let key = v.unique_key().into_string();
            (v.into_string(), Some(("unique_key", json!(key))))
        }
        Kind::UnicodeUsername => {
            let v = UnicodeUsername::parse(value).map_err(|e| refused(&e))?;
            let key = v.unique_key().into_string();
            (v.as_str().to_owned(), Some(("unique_key", json!(key))))
        }
        Kind::UserId => (
            UserId::parse(value).map_err(|e| refused(&e))?.into_string(),
            None,
        ),
        Kind::Email => (
            Email::parse(value).map_err(|e| refused(&e))?.into_string(),
            None,
        ),
        Kind::Text => (
            Text::parse(value).map_err(|e| refused(&e))?.into_string(),
            None,
        ),
        Kind::Tag => (
            Tag::parse(value).map_err(|e| refused(&e))?.into_string(),
            None,
        ),
        Kind::Tags => {
            let tags = Tags::parse_list(value).map_err(|e| refused(&e))?;
            let list: Vec<&str> = tags.iter().map(Tag::as_str).collect();
            (list.join(","), Some(("tags", json!(list))))
        }
        Kind::KvKey => {
            let key = KvKey::builder()
                .segment(value)
                .and_then(validate::KvKeyBuilder::build)
                .map_err(|e| refused(&e))?;
            (key.as_str().to_owned(), None)
        }
        Kind::SqlIdentifier => (
            SqlIdentifier::parse(value)
                .map_err(|e| refused(&e))?
                .into_string(),
            None,
        ),
        Kind::Filename => (
            Filename::parse(value)
                .map_err(|e| refused(&e))?
                .into_string(),
            None,
        ),
        Kind::Path => {
            let root = args
                .root
                .as_deref()
                .ok_or_else(|| Fail::usage("path needs --root DIR"))?;
            let joined = validate::safe_join(root, value).map_err(|e| refused(&e))?;
            (joined.display().to_string(), None)
        }
        Kind::Origin => {
            if args.allow.is_empty() {
                return Err(Fail::usage("origin needs --allow ORIGIN (repeatable)"));
            }
            let mut list = OriginAllowList::new();
            for origin in &args.allow {
                list = list
                    .allow(origin)
                    .map_err(|e| Fail::usage(format!("--allow: {e}")))?;
            }
            list.check(value).map_err(|e| refused(&e))?;
            (value.to_owned(), None)
        }
        Kind::PositiveId => {
            let id = PositiveId::parse(value).map_err(|e| refused(&e))?;
            (id.get().to_string(), Some(("id", json!(id.get()))))
        }
        Kind::Uri => {
            validate::check_uri(value, validate::DEFAULT_MAX_URI_LEN).map_err(|e| refused(&e))?;
            (value.to_owned(), None)
        }
        Kind::OutboundUrl => {
            let mut policy = validate::OutboundPolicy::new();
            if args.allow_http {
                policy = policy.allow_http();
            }
            let url = validate::OutboundUrl::parse_with(value, &policy).map_err(|e| refused(&e))?;
            let extra = if args.resolve {
                let resolved = url.resolve().map_err(|e| refused(&e))?;
                let addrs: Vec<String> = resolved.addrs().iter().map(ToString::to_string).collect();
                Some(("addresses", json!(addrs)))
            } else {
                None
            };
            (url.as_str().to_owned(), extra)
        }
    };
    let mut object = json!({"valid": true, "value": shown});
    if let (Some((name, v)), Some(map)) = (extra, object.as_object_mut()) {
        map.insert(name.to_owned(), v);
    }
    Ok(Done::line(shown, object))
}
