//! Escaping untrusted text for HTML.

use std::borrow::Cow;

/// Escapes `text` for HTML text content and for attribute values in double
/// or single quotes: `&` `<` `>` `"` `'` become `&amp;` `&lt;` `&gt;`
/// `&quot;` `&#x27;`. Borrowed when there is nothing to escape.
///
/// Not for unquoted attributes, URLs (`href`, `src`: check the scheme),
/// `<script>`/`<style>` content or event handlers: those need their own
/// encoders, or better, a template engine that escapes by context.
///
/// # Example
///
/// ```
/// use seckit::validate::html;
///
/// assert_eq!(html::escape(r#"<img src=x onerror="alert('1')">"#),
///     "&lt;img src=x onerror=&quot;alert(&#x27;1&#x27;)&quot;&gt;");
/// assert!(matches!(html::escape("plain"), std::borrow::Cow::Borrowed(_)));
/// ```
#[must_use]
pub fn escape(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(['&', '<', '>', '"', '\'']) else {
        return Cow::Borrowed(text);
    };
    // A capacity hint: room for some entities.
    let mut out = String::with_capacity(
        text.len()
            .saturating_add((text.len() / 8).saturating_add(8)),
    );
    out.push_str(text.get(..first).unwrap_or_default());
    for c in text.get(first..).unwrap_or_default().chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_and_nothing_else() {
        assert_eq!(
            escape("a&b<c>d\"e'f é"),
            "a&amp;b&lt;c&gt;d&quot;e&#x27;f é"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape(""), "");
    }
}
