//! `IdToken::verify` against tokens minted here with jsonwebtoken: the valid case (a real
//! HS256 decode) and every way a token is refused.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::support::{KEY, Wire, client_for};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pinn::{Client, Config, Error, ErrorKind, IdToken, IdTokenClaims};
use serde_json::{Value, json};

const HOST: &str = "https://pinnapis.com";
const SUB: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

/// Verifies `token`, requiring the methods `required`, with the test client: the example key
/// and `HOST`.
fn verify(token: &str, required: &[&str]) -> pinn::Result<IdTokenClaims> {
    client_for(HOST).scope(|| IdToken::verify(token, required))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The claims of a good token.
fn claims() -> Value {
    json!({
        "sub": SUB,
        "iss": HOST,
        "amr": ["palm", "device"],
        "iat": now(),
        "nbf": now() - 5,
        "exp": now() + 300,
        "email": "jane@example.com",
        "app_id": "app_W1eB2aP3pX4yZ5qR6sT7uV8w"
    })
}

fn sign_with(alg: Algorithm, key: &[u8], claims: &Value) -> String {
    // The crate installs this provider when `verify` first runs; encoding may come first.
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).unwrap()
}

fn sign(claims: &Value) -> String {
    sign_with(Algorithm::HS256, KEY.as_bytes(), claims)
}

/// `claims` without `name`.
fn without(name: &str) -> Value {
    let mut c = claims();
    c.as_object_mut().unwrap().remove(name);
    c
}

/// `claims` with `name` set to `value`.
fn with(name: &str, value: Value) -> Value {
    let mut c = claims();
    c[name] = value;
    c
}

/// Base64url without padding, to hand-build tokens jsonwebtoken refuses to make.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Verifies with the test client and expects the ID-token error whose message contains
/// every one of `words`.
#[track_caller]
fn assert_rejected(token: &str, required: &[&str], words: &[&str]) -> String {
    let err = verify(token, required).unwrap_err();
    assert!(matches!(err, Error::IdTokenVerification(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::IdTokenVerification);
    assert!(!err.is_retryable());
    let Error::IdTokenVerification(refusal) = &err else {
        unreachable!()
    };
    let message = err.to_string();
    assert_eq!(
        message,
        format!("id token verification failed: {}", refusal.reason())
    );
    for w in words {
        assert!(refusal.reason().contains(w), "{message:?} lacks {w:?}");
    }
    message
}

#[test]
fn b64url_matches_the_rfc_examples() {
    assert_eq!(b64url(b""), "");
    assert_eq!(b64url(b"f"), "Zg");
    assert_eq!(b64url(b"fo"), "Zm8");
    assert_eq!(b64url(b"foo"), "Zm9v");
    assert_eq!(b64url(b"foob"), "Zm9vYg");
    assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
}

#[test]
fn a_valid_token_gives_its_claims() {
    let c = claims();
    let token = sign(&c);
    let verified = verify(&token, &["palm"]).unwrap();
    assert_eq!(verified.sub, SUB);
    assert_eq!(verified.iss, HOST);
    assert_eq!(verified.amr, ["palm", "device"]);
    assert_eq!(verified.exp, c["exp"].as_u64());
    assert_eq!(verified.nbf, c["nbf"].as_u64());
    // Every claim is reachable, the extra ones included.
    assert_eq!(verified.claims["email"], "jane@example.com");
    assert_eq!(verified.claims["app_id"], "app_W1eB2aP3pX4yZ5qR6sT7uV8w");
    assert_eq!(Value::Object(verified.claims.clone()), c);
}

#[test]
fn a_valid_token_with_every_method_required() {
    let token = sign(&claims());
    let verified = verify(&token, &["device", "palm"]).unwrap();
    assert_eq!(verified.sub, SUB);
    let none_required = verify(&token, &[]).unwrap();
    assert_eq!(none_required.amr.len(), 2);
}

#[test]
fn exp_and_nbf_are_optional() {
    let mut c = without("exp");
    c.as_object_mut().unwrap().remove("nbf");
    let token = sign(&c);
    let verified = verify(&token, &["palm"]).unwrap();
    assert_eq!(verified.exp, None);
    assert_eq!(verified.nbf, None);
}

#[test]
fn verify_makes_no_request() {
    let w = Wire::start();
    let client = client_for(w.url());
    let token = sign(&with("iss", json!(w.url())));
    let verified = client.scope(|| IdToken::verify(&token, &["palm"])).unwrap();
    assert_eq!(verified.iss, w.url());
    w.assert_no_strays();
}

#[test]
fn a_bad_signature_is_rejected() {
    let token = sign_with(
        Algorithm::HS256,
        b"sk_test_someoneElsesKey123456789",
        &claims(),
    );
    assert_rejected(&token, &["palm"], &["bad signature"]);
}

#[test]
fn jsonwebtokens_own_error_is_one_layer_down_and_a_claim_check_has_none() {
    use std::error::Error as _;
    let bad = sign_with(
        Algorithm::HS256,
        b"sk_test_someoneElsesKey123456789",
        &claims(),
    );
    let err = verify(&bad, &["palm"]).unwrap_err();
    let source = err.source().expect("the cause of a bad signature");
    assert!(source.is::<jsonwebtoken::errors::Error>(), "{source:?}");
    // A claim this crate checks itself has no cause below the refusal.
    let err = verify(&sign(&claims()), &["face"]).unwrap_err();
    assert!(matches!(err, Error::IdTokenVerification(_)), "{err:?}");
    assert!(err.source().is_none(), "{:?}", err.source());
}

#[test]
fn a_tampered_payload_is_rejected() {
    let token = sign(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = b64url(with("sub", json!("usr_attacker")).to_string().as_bytes());
    let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
    assert_rejected(&tampered, &["palm"], &["bad signature"]);
}

#[test]
fn alg_none_is_rejected() {
    let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64url(claims().to_string().as_bytes());
    // Unsigned, and with a signature copied from a real token.
    let real = sign(&claims());
    let real_sig = real.rsplit('.').next().unwrap();
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}.{real_sig}"),
    ] {
        assert_rejected(&token, &["palm"], &["alg", "HS256"]);
    }
    let lower = b64url(br#"{"alg":"None"}"#);
    assert_rejected(&format!("{lower}.{payload}."), &["palm"], &["HS256"]);
}

#[test]
fn another_algorithm_is_rejected() {
    for alg in [Algorithm::HS512, Algorithm::HS384] {
        let token = sign_with(alg, KEY.as_bytes(), &claims());
        assert_rejected(&token, &["palm"], &["algorithm", "HS256"]);
    }
}

#[test]
fn an_rs256_header_on_an_hmac_token_is_rejected() {
    let header = b64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let real = sign(&claims());
    let parts: Vec<&str> = real.split('.').collect();
    let token = format!("{header}.{}.{}", parts[1], parts[2]);
    assert_rejected(&token, &["palm"], &["HS256"]);
}

#[test]
fn a_missing_sub_is_rejected() {
    assert_rejected(&sign(&without("sub")), &["palm"], &["missing claim sub"]);
}

#[test]
fn a_missing_amr_is_rejected() {
    assert_rejected(&sign(&without("amr")), &["palm"], &["missing claim amr"]);
}

#[test]
fn a_missing_iss_is_rejected() {
    assert_rejected(&sign(&without("iss")), &["palm"], &["missing claim iss"]);
}

#[test]
fn a_wrong_issuer_is_rejected() {
    for iss in [
        "https://evil.example",
        "https://pinnapis.com/",
        "http://pinnapis.com",
        "",
    ] {
        assert_rejected(&sign(&with("iss", json!(iss))), &["palm"], &["iss"]);
    }
}

#[test]
fn a_missing_amr_method_is_rejected() {
    let token = sign(&with("amr", json!(["device"])));
    assert_rejected(&token, &["palm"], &["amr", "palm"]);
    let token = sign(&claims());
    assert_rejected(&token, &["palm", "face"], &["amr", "face"]);
}

#[test]
fn claims_of_the_wrong_type_are_rejected() {
    assert_rejected(&sign(&with("amr", json!("palm"))), &["palm"], &["amr"]);
    assert_rejected(&sign(&with("amr", json!([1, 2]))), &["palm"], &["amr"]);
    assert_rejected(&sign(&with("sub", json!(42))), &["palm"], &["sub"]);
    assert_rejected(&sign(&with("sub", json!(""))), &["palm"], &["sub"]);
    assert_rejected(&sign(&with("iss", json!(["x"]))), &["palm"], &["iss"]);
}

#[test]
fn an_expired_token_is_rejected() {
    let token = sign(&with("exp", json!(now() - 3600)));
    assert_rejected(&token, &["palm"], &["expired", "exp"]);
}

#[test]
fn expiry_has_a_small_leeway() {
    let leeway = pinn::id_token::LEEWAY_SECS;
    let token = sign(&with("exp", json!(now() - leeway / 2)));
    verify(&token, &["palm"]).unwrap();
    let token = sign(&with("exp", json!(now() - leeway - 60)));
    assert_rejected(&token, &["palm"], &["exp"]);
}

#[test]
fn a_token_not_valid_yet_is_rejected() {
    let token = sign(&with("nbf", json!(now() + 3600)));
    assert_rejected(&token, &["palm"], &["nbf"]);
}

#[test]
fn malformed_tokens_are_rejected() {
    let good = sign(&claims());
    let parts: Vec<&str> = good.split('.').collect();
    assert_rejected("garbage", &["palm"], &["malformed"]);
    assert_rejected("", &["palm"], &["malformed"]);
    assert_rejected(
        &format!("{}.{}", parts[0], parts[1]),
        &["palm"],
        &["malformed"],
    );
    assert_rejected(&format!("{good}.extra"), &["palm"], &["malformed"]);
    assert_rejected("a.b.c", &["palm"], &["malformed"]);
    assert_rejected(&format!(" {good}"), &["palm"], &["malformed"]);
    assert_rejected(&format!("{good}\n"), &["palm"], &["malformed"]);
    // Three segments of base64 whose header is not JSON.
    let not_json = b64url(b"not json");
    assert_rejected(
        &format!("{not_json}.{}.{}", parts[1], parts[2]),
        &["palm"],
        &["malformed"],
    );
    // A payload that is not a JSON object.
    let array = b64url(b"[1,2,3]");
    let token = format!("{}.{array}.{}", parts[0], parts[2]);
    let err = verify(&token, &["palm"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IdTokenVerification);
}

#[test]
fn an_oversized_token_is_rejected_up_front() {
    let big = with(
        "padding",
        json!("x".repeat(pinn::id_token::MAX_TOKEN_BYTES)),
    );
    assert_rejected(&sign(&big), &["palm"], &["too long"]);
}

/// The longest valid token of at most `len` bytes, padded with an extra claim: base64url
/// grows in steps, so it is a byte or two short of `len` at most.
fn token_of_at_most(len: usize) -> String {
    let padded = |pad: usize| sign(&with("padding", json!("x".repeat(pad))));
    // The longest padding that fits, by bisection: a token grows with its padding.
    let (mut fits, mut too_long) = (0, len);
    while too_long - fits > 1 {
        let mid = (fits + too_long) / 2;
        match padded(mid).len() <= len {
            true => fits = mid,
            false => too_long = mid,
        }
    }
    padded(fits)
}

#[test]
fn the_token_size_limit_is_tested_on_both_sides() {
    let max = pinn::id_token::MAX_TOKEN_BYTES;
    let inside = token_of_at_most(max);
    assert!(inside.len() > max - 4, "{}", inside.len());
    verify(&inside, &["palm"]).unwrap();
    // The next longer token is over the limit, by a byte or a few.
    let outside = token_of_at_most(max + 4);
    assert!(outside.len() > max, "{}", outside.len());
    assert_rejected(&outside, &["palm"], &["too long"]);
    // A token of a few KiB, far from both limits, verifies too.
    verify(&token_of_at_most(3000), &["palm"]).unwrap();
}

#[test]
fn no_key_is_a_configuration_error() {
    let no_key = Client::new(Config::builder().api_host(HOST).build().unwrap());
    let token = sign(&claims());
    let err = no_key
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap_err();
    assert!(matches!(err, Error::Configuration(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Configuration);
}

#[test]
fn the_key_of_the_current_client_is_used() {
    // Two tenants: a token of one does not verify under the other.
    let other = Client::new(
        Config::builder()
            .secret_key("sk_test_OtherTenantKey0123456789ab")
            .api_host(HOST)
            .build()
            .unwrap(),
    );
    let token = sign(&claims());
    verify(&token, &["palm"]).unwrap();
    let err = other
        .scope(|| IdToken::verify(&token, &["palm"]))
        .unwrap_err();
    assert!(err.to_string().contains("bad signature"), "{err}");
}
