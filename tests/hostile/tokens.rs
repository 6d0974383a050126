//! Hostile ID tokens: every forged, malformed or out-of-date token is rejected with
//! `ErrorKind::IdTokenVerification`; the valid one, and one just inside the leeway, pass.
//!
//! Tokens are built by hand (header and claims as raw JSON, signed with jsonwebtoken's HMAC)
//! so that a test can put anything in them. Verification is offline: no server is started.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey};
use pinn::id_token::{LEEWAY_SECS, MAX_TOKEN_BYTES, MIN_SECRET_BYTES};
use pinn::{Client, Config, ErrorKind, IdToken, IdTokenClaims};

const KEY: &str = "sk_test_TOKENS_4eC39HqLyjWDarjtT1zdp7dc";
const HOST: &str = "http://127.0.0.1:12111";
const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn client_with_key(key: &str) -> Client {
    Client::new(
        Config::builder()
            .secret_key(key)
            .api_host(HOST)
            .build()
            .unwrap(),
    )
}

fn verify(token: &str, amr: &[&str]) -> pinn::Result<IdTokenClaims> {
    client_with_key(KEY).scope(|| IdToken::verify(token, amr))
}

/// Base64url without padding, as JWTs use.
fn b64url(bytes: &[u8]) -> String {
    b64(bytes, b"-_", false)
}

fn b64(bytes: &[u8], extra: &[u8; 2], pad: bool) -> String {
    let mut table: Vec<u8> = (b'A'..=b'Z')
        .chain(b'a'..=b'z')
        .chain(b'0'..=b'9')
        .collect();
    table.extend_from_slice(extra);
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(table[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        if pad {
            out.extend(std::iter::repeat_n('=', 3 - chunk.len()));
        }
    }
    out
}

/// `header.claims.signature`, signed with `key` by `alg` whatever the header says.
fn sign_with(header: &str, claims: &str, key: &[u8], alg: Algorithm) -> String {
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let message = format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(claims.as_bytes())
    );
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), &EncodingKey::from_secret(key), alg)
            .unwrap();
    format!("{message}.{signature}")
}

/// A token signed with the right key by HS256.
fn sign(header: &str, claims: &str) -> String {
    sign_with(header, claims, KEY.as_bytes(), Algorithm::HS256)
}

/// Good claims, with `fields` (raw JSON members, so a test can write any value) replacing
/// or adding to them.
fn claims(fields: &[(&str, String)]) -> String {
    let mut map = serde_json::Map::new();
    map.insert("sub".into(), "usr_123".into());
    map.insert("iss".into(), HOST.into());
    map.insert("amr".into(), serde_json::json!(["palm", "device"]));
    map.insert("iat".into(), now().into());
    map.insert("exp".into(), (now() + 300).into());
    for (name, _) in fields {
        map.remove(*name);
    }
    let rest = serde_json::to_string(&map).unwrap();
    let raw: String = fields
        .iter()
        .map(|(n, v)| format!("\"{n}\":{v},"))
        .collect();
    format!("{{{raw}{}", rest.trim_start_matches('{'))
}

/// Asserts `token` is rejected with the verification error and, when given, that the
/// message names `mentions`.
fn assert_rejected(token: &str, amr: &[&str], mentions: Option<&str>) {
    let err = match verify(token, amr) {
        Ok(c) => panic!("accepted {token:.200}: {c:?}"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), ErrorKind::IdTokenVerification, "{err}");
    if let Some(m) = mentions {
        assert!(err.to_string().contains(m), "{err} should mention {m}");
    }
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("TOKENS_4eC39"), "the key leaked: {shown}");
}

#[test]
fn the_valid_token_is_accepted() {
    let token = sign(HS256, &claims(&[("custom", r#"{"a":[1,2]}"#.into())]));
    let c = verify(&token, &["palm"]).unwrap();
    assert_eq!(c.sub, "usr_123");
    assert_eq!(c.iss, HOST);
    assert_eq!(c.amr, ["palm", "device"]);
    assert!(c.exp.unwrap() > now());
    assert_eq!(c.claims["custom"]["a"][1], 2);
    verify(&token, &["palm", "device"]).unwrap();
    verify(&token, &[]).unwrap();
}

#[test]
fn exp_just_inside_the_leeway_is_accepted_and_just_outside_rejected() {
    let inside = now() - LEEWAY_SECS + 5;
    let token = sign(HS256, &claims(&[("exp", inside.to_string())]));
    assert_eq!(verify(&token, &["palm"]).unwrap().exp, Some(inside));

    let outside = now() - LEEWAY_SECS - 5;
    let token = sign(HS256, &claims(&[("exp", outside.to_string())]));
    assert_rejected(&token, &["palm"], Some("exp"));
}

#[test]
fn nbf_in_the_future_is_rejected() {
    let token = sign(
        HS256,
        &claims(&[("nbf", (now() + LEEWAY_SECS + 60).to_string())]),
    );
    assert_rejected(&token, &["palm"], Some("nbf"));
    // Within the leeway, clock skew is forgiven.
    let token = sign(HS256, &claims(&[("nbf", (now() + 5).to_string())]));
    verify(&token, &["palm"]).unwrap();
}

#[test]
fn the_none_algorithm_is_rejected() {
    let body = claims(&[]);
    for header in [
        r#"{"alg":"none","typ":"JWT"}"#,
        r#"{"alg":"None"}"#,
        r#"{"alg":"NONE"}"#,
        r#"{"alg":""}"#,
        r#"{"typ":"JWT"}"#,
        r#"{"alg":null}"#,
    ] {
        let unsigned = format!("{}.{}.", b64url(header.as_bytes()), b64url(body.as_bytes()));
        assert_rejected(&unsigned, &["palm"], None);
        // Even with a valid HS256 signature over it.
        assert_rejected(&sign(header, &body), &["palm"], None);
    }
}

#[test]
fn rs256_and_hs512_headers_are_rejected() {
    let body = claims(&[]);
    // Signed with the right key by the algorithm the header names.
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let header = format!(r#"{{"alg":"{alg:?}","typ":"JWT"}}"#);
        let token = sign_with(&header, &body, KEY.as_bytes(), alg);
        assert_rejected(&token, &["palm"], Some("HS256"));
    }
    // The classic confusion: RS256 (or ES256) in the header, an HMAC of the secret as the
    // signature.
    for header in [
        r#"{"alg":"RS256","typ":"JWT"}"#,
        r#"{"alg":"ES256"}"#,
        r#"{"alg":"PS256"}"#,
        r#"{"alg":"EdDSA"}"#,
    ] {
        assert_rejected(&sign(header, &body), &["palm"], None);
    }
}

#[test]
fn the_right_key_with_a_header_claiming_another_algorithm_is_rejected() {
    let body = claims(&[]);
    // An HS256 signature under headers that say otherwise.
    for alg in ["HS384", "HS512", "hs256", "HS256 ", "RS256"] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        assert_rejected(&sign(&header, &body), &["palm"], None);
    }
    // An HS512 signature under a header that says HS256.
    let token = sign_with(HS256, &body, KEY.as_bytes(), Algorithm::HS512);
    assert_rejected(&token, &["palm"], Some("signature"));
}

#[test]
fn bad_signatures_are_rejected() {
    let body = claims(&[]);
    let good = sign(HS256, &body);
    let (message, _) = good.rsplit_once('.').unwrap();
    assert_rejected(&format!("{message}."), &["palm"], None);
    assert_rejected(&format!("{message}.AAAA"), &["palm"], None);
    let other = sign_with(
        HS256,
        &body,
        b"sk_test_SOMEONE_ELSES_KEY_123456",
        Algorithm::HS256,
    );
    assert_rejected(&other, &["palm"], Some("signature"));
    let empty_key = sign_with(HS256, &body, b"", Algorithm::HS256);
    assert_rejected(&empty_key, &["palm"], Some("signature"));
    // Claims swapped under a valid signature.
    let forged = claims(&[("sub", r#""usr_admin""#.into())]);
    let (header, rest) = good.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let swapped = format!("{header}.{}.{signature}", b64url(forged.as_bytes()));
    assert_rejected(&swapped, &["palm"], Some("signature"));
}

#[test]
fn iss_as_an_array_or_with_a_trailing_slash_is_rejected() {
    for iss in [
        format!(r#"["{HOST}"]"#),
        format!(r#""{HOST}/""#),
        r#""https://pinnapis.com""#.into(),
        format!(r#""{}""#, HOST.to_uppercase()),
        r#""""#.into(),
        "null".into(),
        "1".into(),
    ] {
        let token = sign(HS256, &claims(&[("iss", iss.clone())]));
        assert_rejected(&token, &["palm"], Some("iss"));
    }
    let mut no_iss: serde_json::Value = serde_json::from_str(&claims(&[])).unwrap();
    no_iss.as_object_mut().unwrap().remove("iss");
    assert_rejected(&sign(HS256, &no_iss.to_string()), &["palm"], Some("iss"));
}

#[test]
fn amr_as_a_string_empty_or_with_non_strings_is_rejected() {
    for amr in [
        r#""palm""#,
        "[]",
        r#"["palm",1]"#,
        r#"["palm",null]"#,
        r#"[["palm"]]"#,
        r#"[{"palm":true}]"#,
        r#"{"0":"palm"}"#,
        "null",
        "true",
    ] {
        let token = sign(HS256, &claims(&[("amr", amr.into())]));
        assert_rejected(&token, &["palm"], Some("amr"));
        // Even when the caller requires no particular method.
        assert_rejected(&token, &[], Some("amr"));
    }
    let token = sign(HS256, &claims(&[("amr", r#"["device"]"#.into())]));
    assert_rejected(&token, &["palm"], Some("amr"));
    let token = sign(HS256, &claims(&[("amr", r#"["Palm"]"#.into())]));
    assert_rejected(&token, &["palm"], Some("amr"));
}

#[test]
fn exp_nbf_and_iss_of_the_wrong_type_are_rejected_and_named() {
    let later = now() + 300;
    for (name, raw) in [
        ("exp", format!(r#""{later}""#)),
        ("exp", "null".to_string()),
        ("exp", "-1".to_string()),
        ("exp", "1e30".to_string()),
        ("exp", "[1]".to_string()),
        ("exp", "true".to_string()),
        ("nbf", r#""0""#.to_string()),
        ("nbf", "-5".to_string()),
        ("nbf", "{}".to_string()),
        ("iss", "{}".to_string()),
        ("iss", "[1]".to_string()),
    ] {
        let token = sign(HS256, &claims(&[(name, raw.clone())]));
        assert_rejected(&token, &["palm"], Some(name));
    }
}

#[test]
fn an_empty_or_missing_sub_is_rejected() {
    for sub in [r#""""#, "null", "42", r#"["usr_1"]"#] {
        let token = sign(HS256, &claims(&[("sub", sub.into())]));
        assert_rejected(&token, &["palm"], Some("sub"));
    }
    let mut no_sub: serde_json::Value = serde_json::from_str(&claims(&[])).unwrap();
    no_sub.as_object_mut().unwrap().remove("sub");
    assert_rejected(&sign(HS256, &no_sub.to_string()), &["palm"], Some("sub"));
}

#[test]
fn claims_that_are_not_an_object_are_rejected() {
    for body in ["[]", r#""usr_1""#, "null", "1", "{", ""] {
        assert_rejected(&sign(HS256, body), &["palm"], None);
    }
}

#[test]
fn tokens_with_the_wrong_shape_are_rejected() {
    let good = sign(HS256, &claims(&[]));
    let parts: Vec<&str> = good.split('.').collect();
    let two = format!("{}.{}", parts[0], parts[1]);
    let four = format!("{good}.{}", parts[2]);
    let four_empty = format!("{good}.");
    for token in [
        "",
        ".",
        "..",
        "...",
        "a",
        "a.b",
        "a.b.c",
        &two,
        &four,
        &four_empty,
        &format!(" {good}"),
        &format!("{good}\n"),
        &format!("Bearer {good}"),
        &good.replace('.', ".\u{200b}"),
        &format!("{good}é"),
    ] {
        assert_rejected(token, &["palm"], None);
    }
}

#[test]
fn standard_base64_with_padding_is_rejected() {
    // A header and claims whose standard encoding needs `+`, `/` and `=` padding.
    let header = r#"{"alg":"HS256","typ":"JWT","kid":"??>>"}"#;
    let body = claims(&[("x", r#""~~~??>>""#.into())]);
    let std = |s: &str| b64(s.as_bytes(), b"+/", true);
    let message = format!("{}.{}", std(header), std(&body));
    assert!(message.contains('=') || message.contains('+') || message.contains('/'));
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(KEY.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap();
    assert_rejected(&format!("{message}.{signature}"), &["palm"], None);
    // The same token with a padded signature.
    let good = sign(header, &body);
    assert_rejected(&format!("{good}="), &["palm"], None);
    assert_rejected(&format!("{good}=="), &["palm"], None);
}

#[test]
fn a_one_megabyte_token_is_rejected_quickly() {
    let started = std::time::Instant::now();
    let padding = "x".repeat(1 << 20);
    let token = sign(HS256, &claims(&[("padding", format!(r#""{padding}""#))]));
    assert!(token.len() > 1 << 20);
    assert_rejected(&token, &["palm"], Some("long"));
    let just_over = "a".repeat(MAX_TOKEN_BYTES + 1);
    assert_rejected(&just_over, &["palm"], Some("long"));
    assert!(started.elapsed().as_secs() < 2);
}

#[test]
fn an_empty_or_short_secret_key_never_verifies() {
    let token = sign(HS256, &claims(&[]));
    // An empty key cannot even be configured.
    let err = Config::builder()
        .secret_key("")
        .api_host(HOST)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    // No key at all: a configuration error, not a verification.
    let no_key = Client::new(Config::builder().api_host(HOST).build().unwrap());
    let err = no_key
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
    // Keys shorter than MIN_SECRET_BYTES: a configuration error even for a token they signed.
    for len in [1, 8, MIN_SECRET_BYTES - 1] {
        let short = &KEY[..len];
        let token = sign_with(HS256, &claims(&[]), short.as_bytes(), Algorithm::HS256);
        let err = client_with_key(short)
            .scope(|| IdToken::verify(&token, &["palm"]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{len}: {err}");
        if len >= 8 {
            assert!(!err.to_string().contains(short), "{err}");
        }
    }
    // At MIN_SECRET_BYTES the key verifies what it signed.
    let key = &KEY[..MIN_SECRET_BYTES];
    let token = sign_with(HS256, &claims(&[]), key.as_bytes(), Algorithm::HS256);
    client_with_key(key)
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap();
}

#[test]
fn the_claims_helper_writes_what_the_tests_mean() {
    let c: serde_json::Value =
        serde_json::from_str(&claims(&[("exp", r#""soon""#.into()), ("sub", "7".into())])).unwrap();
    assert_eq!(c["exp"], "soon");
    assert_eq!(c["sub"], 7);
    assert_eq!(c["iss"], HOST);
    assert_eq!(b64url(b"any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw");
    assert_eq!(
        b64(b"any carnal pleasur", b"+/", true),
        "YW55IGNhcm5hbCBwbGVhc3Vy"
    );
    assert_eq!(
        b64(b"any carnal pleasu", b"+/", true),
        "YW55IGNhcm5hbCBwbGVhc3U="
    );
}
