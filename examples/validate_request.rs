//! A signup handler's input checks: a JSON body deserialized straight into
//! validated types (serde stops at the first bad field), and the same body
//! checked field by field with a `Report` that returns every violation, as a
//! form wants.
//!
//! Run it with `cargo run --example validate_request`.

#![allow(clippy::print_stdout)] // printing is this example's job

use seckit::validate::{Email, Report, Tags, Text, Username, html, safe_join};
use serde::Deserialize;

/// The request as the handler wants it: every field already valid.
#[derive(Deserialize, Debug)]
struct Signup {
    username: Username,
    email: Email,
    bio: Text,
    tags: Tags,
}

/// The same body as raw strings, for collect-all checking.
#[derive(Deserialize)]
struct RawSignup {
    username: String,
    email: String,
    bio: String,
    tags: Vec<String>,
}

fn check_all(raw: &RawSignup) -> Result<Signup, Report> {
    let mut report = Report::new();
    let username = report.check(Username::parse(&raw.username));
    let email = report.check(Email::parse(&raw.email));
    // The request's own field names, where they differ from the validator's.
    let bio = report.check_field("bio", Text::parse(&raw.bio));
    let tags = report.check_field("tags", Tags::parse(raw.tags.iter().map(String::as_str)));
    report.into_result()?;
    match (username, email, bio, tags) {
        (Some(username), Some(email), Some(bio), Some(tags)) => Ok(Signup {
            username,
            email,
            bio,
            tags,
        }),
        // Every None recorded a violation, so into_result returned above.
        _ => Err(Report::new()),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let good = r#"{"username":"ada_lovelace","email":"Ada@Analytical.Example","bio":"Wrote the first program.\nLikes engines.","tags":["math","Math","engines"]}"#;
    let bad = r#"{"username":"ada lovelace","email":"ada@@example","bio":"ok \u202e evil","tags":["a b","x"]}"#;

    println!("1. serde into validated types:");
    let signup: Signup = serde_json::from_str(good)?;
    println!(
        "  accepted: {} <{}>, {} tags",
        signup.username,
        signup.email,
        signup.tags.len()
    );
    match serde_json::from_str::<Signup>(bad) {
        Ok(_) => println!("  unexpected: bad body accepted"),
        Err(e) => println!("  refused (first problem only): {e}"),
    }

    println!("2. every violation, for a form:");
    let raw: RawSignup = serde_json::from_str(bad)?;
    match check_all(&raw) {
        Ok(_) => println!("  unexpected: bad body accepted"),
        Err(report) => {
            println!("  log:  {report}");
            println!("  400 body: {}", serde_json::to_string(&report)?);
        }
    }

    println!("3. using what was accepted:");
    let raw: RawSignup = serde_json::from_str(good)?;
    if let Ok(s) = check_all(&raw) {
        println!("  profile HTML: <p>{}</p>", html::escape(s.bio.as_str()));
        let avatar = safe_join(
            std::path::Path::new("/srv/avatars"),
            &format!("{}.png", s.username.unique_key()),
        )?;
        println!("  avatar path: {}", avatar.display());
        println!("  unique key: {}", s.username.unique_key());
    }
    Ok(())
}
