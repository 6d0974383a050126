//! Masking the key in what comes back: in the response heads (after any `1xx` ones), and in
//! an error's body while ureq's wire dump is logged; written plainly or percent-encoded.

use memchr::memmem::Finder;

use super::head::FIND_HEAD_END;

/// Whether ureq's wire dump (`ureq_proto` at `trace`) is being logged: only then is an error
/// body masked (otherwise nothing but the error reads it, and the error redacts the key as
/// `<redacted>`, which reads better than `*`s).
pub(super) fn wire_is_logged() -> bool {
    log::log_enabled!(target: "ureq_proto", log::Level::Trace)
}

/// Where the response heads at the start of some input stand.
#[derive(Debug, PartialEq)]
pub(super) enum Head {
    /// A head is still arriving: more must be masked later.
    Incomplete,
    /// The final head ends at `end`; `success`: its status is `2xx`.
    Complete { end: usize, success: bool },
}

/// Masks `key` in the response heads at the start of `input` (a final head, after any
/// `1xx` heads).
pub(super) fn mask_heads(input: &mut [u8], key: &Finder<'_>) -> Head {
    let mut from = 0;
    loop {
        let rest = &mut input[from..];
        let end = FIND_HEAD_END.find(rest).map(|i| i + 4);
        let len = end.unwrap_or(rest.len());
        let head = &mut rest[..len];
        mask(head, key);
        match end {
            None => return Head::Incomplete,
            Some(end) if is_informational(head) => from += end,
            Some(end) => {
                return Head::Complete {
                    end: from + end,
                    success: head.len() > 9 && head[9] == b'2',
                };
            }
        }
    }
}

/// Overwrites every copy of `key` in `text` with `*`s, the key written plainly or with any
/// of its characters percent-encoded (a `Location` quoting it in a URL).
pub(super) fn mask(text: &mut [u8], key: &Finder<'_>) {
    let width = key.needle().len();
    let mut at = 0;
    while let Some(i) = key.find(&text[at..]) {
        let start = at + i;
        text[start..start + width].fill(b'*');
        at = start + width;
    }
    if memchr::memchr(b'%', text).is_none() {
        return;
    }
    if memchr::memchr(b'%', key.needle()).is_some() {
        return mask_mixed(text, key.needle());
    }
    let (decoded, starts) = crate::text::percent_decoded(text);
    let mut at = 0;
    while let Some(i) = key.find(&decoded[at..]) {
        let start = at + i;
        text[starts[start]..starts[start + width]].fill(b'*');
        at = start + width;
    }
}

/// [`mask`] for a key with a `%` in it, which decoding the text cannot find when some of its
/// `%`s are left as they are: each byte of the key may be written as itself or as `%XX`.
fn mask_mixed(text: &mut [u8], key: &[u8]) {
    let Some(&first) = key.first() else {
        return;
    };
    let mut at = 0;
    while at < text.len() {
        let could_start = text[at] == first || text[at] == b'%';
        let copy = if could_start {
            crate::text::encoded_copy(&text[at..], key)
        } else {
            None
        };
        match copy {
            Some(len) => {
                text[at..at + len].fill(b'*');
                at += len;
            }
            None => at += 1,
        }
    }
}

/// Whether a response head is still incomplete (for keys the guard does not search for).
pub(super) fn still_in_head(input: &[u8]) -> bool {
    let mut from = 0;
    loop {
        match FIND_HEAD_END.find(&input[from..]) {
            None => return true,
            Some(i) if is_informational(&input[from..from + i]) => from += i + 4,
            Some(_) => return false,
        }
    }
}

/// `HTTP/1.x 1xx`: an interim answer, after which the real head still comes.
fn is_informational(head: &[u8]) -> bool {
    head.len() > 9 && head.starts_with(b"HTTP/1.") && head[9] == b'1'
}
