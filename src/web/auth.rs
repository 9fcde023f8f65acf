//! Who is asking: local users with argon2-hashed passwords and cumulative roles, browser
//! sessions (a random token in an HttpOnly, SameSite=Lax cookie; the store keeps its
//! SHA-256) with a CSRF token, and API tokens sent as `Authorization: Bearer …`.
//! The [`Caller`] extractor refuses a state-changing request made with the session cookie
//! that does not carry the session's CSRF token in `X-CSRF-Token`; form handlers check
//! the `csrf_token` field themselves with [`Caller::check_csrf`].

use std::fmt;
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use futures::future::LocalBoxFuture;
use sha2::{Digest, Sha256};

use super::app::AppState;
use super::error::ApiError;
use crate::store::{Store, StoreError, User};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sitewide_session";
/// The header that carries the CSRF token of a session.
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// How long a session lives.
const SESSION_DAYS: i64 = 7;

/// What a user may do; each role may do everything the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads runs, changes, jobs and workspaces.
    Viewer,
    /// Starts and cancels runs.
    Editor,
    /// Reviews changes and applies runs.
    Approver,
    /// Everything, users and tokens included.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Approver, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?}: write viewer, editor, approver or admin"))
    }
}

/// `n` random bytes from the operating system, as hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A password people can type: 20 letters and digits from the operating system's RNG.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The SHA-256 of a random token, as stored (a random token needs no slow hash).
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// The argon2id hash of a password, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Adds a user with `role` and the hash of `password`.
pub async fn add_user(
    store: &Store,
    name: &str,
    role: Role,
    password: &str,
) -> Result<User, String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-@".contains(c))
    {
        return Err(format!(
            "error: {name:?} is not a user name: use letters, digits and . _ - @"
        ));
    }
    let owned = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&owned))
        .await
        .map_err(|e| format!("error: {e}"))??;
    store
        .add_user(name, &hash, role.as_str())
        .await
        .map_err(|e| format!("error: {e}"))
}

/// Makes an API token for `user`; returns the token, which is never stored.
pub async fn create_token(store: &Store, user: &str) -> Result<String, String> {
    let found = store
        .user_by_name(user)
        .await
        .map_err(|e| format!("error: {e}"))?
        .ok_or_else(|| format!("error: no user named {user:?}\n  = hint: `sitewide users add {user} --role editor` first"))?;
    let token = format!("sw_{}", random_hex(32));
    store
        .add_api_token(found.id, &token_hash(&token))
        .await
        .map_err(|e| format!("error: {e}"))?;
    Ok(token)
}

/// A new session for `user`: the cookie's token and the CSRF token.
pub async fn open_session(store: &Store, user: &User) -> Result<(String, String), StoreError> {
    let token = random_hex(32);
    let csrf = random_hex(32);
    let expires = chrono::Utc::now() + chrono::Duration::days(SESSION_DAYS);
    store
        .add_session(user.id, &token_hash(&token), &csrf, expires)
        .await?;
    Ok((token, csrf))
}

/// How a caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The session cookie, with the session's token and its CSRF token.
    Session { token: String, csrf: String },
    /// An API token.
    Token,
}

/// The person behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
    pub via: Via,
}

impl Caller {
    /// Refuses a caller whose role is below `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role >= needed {
            return Ok(());
        }
        Err(ApiError::forbidden(format!(
            "{} is {}; this needs the {needed} role",
            self.name, self.role
        )))
    }

    /// Refuses a session caller whose `token` is not the session's CSRF token.
    pub fn check_csrf(&self, token: Option<&str>) -> Result<(), ApiError> {
        match &self.via {
            Via::Token => Ok(()),
            Via::Session { csrf, .. } if token.is_some_and(|t| constant_eq(t, csrf)) => Ok(()),
            Via::Session { .. } => Err(ApiError::new(
                actix_web::http::StatusCode::FORBIDDEN,
                "csrf",
                "this request needs the session's CSRF token (header X-CSRF-Token or form field csrf_token)",
            )),
        }
    }

    /// The session's CSRF token, for pages to put in their forms.
    pub fn csrf(&self) -> Option<&str> {
        match &self.via {
            Via::Session { csrf, .. } => Some(csrf),
            Via::Token => None,
        }
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Who sent `req`: the bearer token, else the session cookie; `None` when neither.
pub async fn identify(req: &HttpRequest, store: &Store) -> Result<Option<Caller>, ApiError> {
    let bearer = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        let Some(user) = store.token_user(&token_hash(token.trim())).await? else {
            return Err(ApiError::unauthorized());
        };
        return Ok(Some(caller(user, Via::Token)?));
    }
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let token = cookie.value().to_string();
    let Some(session) = store.session(&token_hash(&token)).await? else {
        return Ok(None);
    };
    let via = Via::Session {
        token,
        csrf: session.csrf_token,
    };
    Ok(Some(caller(session.user, via)?))
}

fn caller(user: User, via: Via) -> Result<Caller, ApiError> {
    let role = user
        .role
        .parse()
        .map_err(|e: String| ApiError::internal(&e))?;
    Ok(Caller {
        name: user.name,
        role,
        via,
    })
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Caller, ApiError>>;

    /// The caller, or 401; a state-changing request by session cookie must carry the CSRF
    /// header (forms, which cannot, use [`MaybeCaller`] and check the field).
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The access middleware put the caller it checked there.
        if let Some(caller) = req.extensions().get::<Caller>().cloned() {
            return Box::pin(async move { Ok(caller) });
        }
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal(&"the app state is missing"))?;
            let caller = identify(&req, &state.store)
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            if changes_state(req.method()) {
                let header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                caller.check_csrf(header)?;
            }
            Ok(caller)
        })
    }
}

/// The caller when there is one, with no CSRF check: for pages and form handlers.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<MaybeCaller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal(&"the app state is missing"))?;
            Ok(MaybeCaller(
                identify(&req, &state.store).await.unwrap_or(None),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_cumulative() {
        assert!(Role::Admin > Role::Approver && Role::Approver > Role::Editor);
        assert!(Role::Editor > Role::Viewer);
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn a_password_verifies_against_its_hash_and_no_other() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horse!", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_as_their_hash() {
        assert_ne!(random_hex(32), random_hex(32));
        assert_eq!(random_hex(32).len(), 64);
        assert_eq!(token_hash("a"), token_hash("a"));
        assert_ne!(token_hash("a"), "a");
        assert_eq!(random_password().len(), 20);
    }

    #[test]
    fn a_session_caller_needs_the_csrf_token_and_a_token_caller_does_not() {
        let session = Caller {
            name: "ana".into(),
            role: Role::Editor,
            via: Via::Session {
                token: "t".into(),
                csrf: "c1".into(),
            },
        };
        assert!(session.check_csrf(Some("c1")).is_ok());
        assert_eq!(session.check_csrf(Some("c2")).unwrap_err().code, "csrf");
        assert_eq!(session.check_csrf(None).unwrap_err().code, "csrf");
        let token = Caller {
            via: Via::Token,
            ..session
        };
        assert!(token.check_csrf(None).is_ok());
        assert!(token.require(Role::Editor).is_ok());
        assert_eq!(token.require(Role::Approver).unwrap_err().code, "forbidden");
    }
}
