//! Okta System Log events as the API returns them (one JSON object per line inside one
//! array): actor, client, outcome, target (sometimes `null`), transaction.

use std::path::Path;

use crate::Error;
use crate::clock::put_okta;
use crate::out::{self, json_str};
use crate::people::{DOMAIN, fold, role};
use crate::rng::Rng;

/// An actor or target.
#[derive(Debug, Clone)]
pub struct Principal {
    id: String,
    kind: &'static str,
    alternate_id: String,
    display: String,
}

/// A stable Okta-style id (`00u1a2b3c4d5e6f7g8h9`) for a key.
fn okta_id(prefix: &str, key: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let seed = crate::table::stream_of(key);
    let mut rng = Rng::derive(seed, 0x0C7D, 0);
    let mut s = String::with_capacity(20);
    s.push_str(prefix);
    for _ in 0..17 {
        s.push(char::from(ALPHABET[rng.below(ALPHABET.len() as u64) as usize]));
    }
    s
}

impl Principal {
    /// A user; Okta's alternateId is the login.
    pub fn user(name: &str, login: &str) -> Self {
        Principal {
            id: okta_id("00u", &login.to_lowercase()),
            kind: "User",
            alternate_id: login.to_string(),
            display: name.to_string(),
        }
    }

    fn app(name: &str) -> Self {
        Principal {
            id: okta_id("0oa", name),
            kind: "AppInstance",
            alternate_id: name.to_string(),
            display: name.to_string(),
        }
    }

    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        json_str(out, &self.id);
        out.extend_from_slice(b",\"type\":");
        json_str(out, self.kind);
        out.extend_from_slice(b",\"alternateId\":");
        json_str(out, &self.alternate_id);
        out.extend_from_slice(b",\"displayName\":");
        json_str(out, &self.display);
        out.push(b'}');
    }
}

/// The IT operations manager, who deactivates accounts by hand.
pub fn admin() -> Principal {
    let name = role("IT Operations Manager");
    let (first, last) = name.split_once(' ').unwrap_or((name.as_str(), ""));
    let login = format!("{}.{}@{DOMAIN}", fold(first), fold(last));
    Principal::user(&name, &login)
}

/// The HR-driven workflow that deactivates accounts at termination.
pub fn workflows() -> Principal {
    let id = okta_id("0oa", "okta-workflows");
    Principal {
        id: id.clone(),
        kind: "PublicClientApp",
        alternate_id: id,
        display: "Okta Workflows".to_string(),
    }
}

/// `(raw user agent, ip)`; index 4 is the workflow engine's API client. Agents are kept
/// short: a scale-1 log stays near 1 GB.
const CLIENTS: [(&str, &str); 5] = [
    ("Mozilla/5.0 (Windows NT 10.0) Chrome/126.0", "185.58.1.10"),
    ("Mozilla/5.0 (Macintosh) Safari/605.1", "185.58.1.11"),
    ("Mozilla/5.0 (iPhone) Mobile/15E148", "91.153.22.7"),
    ("Mozilla/5.0 (X11; Linux) Firefox/127.0", "88.113.40.2"),
    ("okta-workflows/2024.06", "35.228.14.3"),
];

fn display_message(event_type: &str) -> &'static str {
    match event_type {
        "user.session.start" => "User login to Okta",
        "user.session.end" => "User logout from Okta",
        "user.authentication.sso" => "User single sign on to app",
        "user.authentication.auth_via_mfa" => "Authentication of user via MFA",
        "user.account.update_password" => "User update password for Okta",
        "policy.evaluate_sign_on" => "Evaluation of sign-on policy",
        "user.account.lock" => "Max sign in attempts exceeded",
        "group.user_membership.add" => "Add user to group membership",
        "user.lifecycle.create" => "Create Okta user",
        "user.lifecycle.activate" => "Activate Okta user",
        "user.lifecycle.suspend" => "Suspend Okta user",
        "user.lifecycle.unsuspend" => "Unsuspend Okta user",
        "user.lifecycle.deactivate" => "Deactivate Okta user",
        _ => "Okta event",
    }
}

/// Appends one event; `target: None` is written as `null`, as Okta does.
pub fn put_event(
    out: &mut Vec<u8>,
    rng: &mut Rng,
    ts_ms: i64,
    event_type: &str,
    actor: &Principal,
    target: Option<&[Principal]>,
    client: usize,
) {
    put_event_outcome(
        out,
        rng,
        ts_ms,
        event_type,
        actor,
        target,
        client,
        ("SUCCESS", None),
    );
}

#[allow(clippy::too_many_arguments)] // one call site per event shape; a struct would only rename them
fn put_event_outcome(
    out: &mut Vec<u8>,
    rng: &mut Rng,
    ts_ms: i64,
    event_type: &str,
    actor: &Principal,
    target: Option<&[Principal]>,
    client: usize,
    outcome: (&str, Option<&str>),
) {
    let (ua, ip) = CLIENTS[client.min(CLIENTS.len() - 1)];
    out.extend_from_slice(b"{\"uuid\":");
    json_str(out, &rng.uuid());
    out.extend_from_slice(b",\"published\":\"");
    put_okta(out, ts_ms);
    out.extend_from_slice(b"\",\"eventType\":");
    json_str(out, event_type);
    out.extend_from_slice(b",\"severity\":\"INFO\",\"displayMessage\":");
    json_str(out, display_message(event_type));
    out.extend_from_slice(b",\"actor\":");
    actor.put(out);
    out.extend_from_slice(b",\"client\":{\"userAgent\":{\"rawUserAgent\":");
    json_str(out, ua);
    out.extend_from_slice(b"},\"zone\":\"null\",\"ipAddress\":");
    json_str(out, ip);
    out.extend_from_slice(b"},\"outcome\":{\"result\":");
    json_str(out, outcome.0);
    out.extend_from_slice(b",\"reason\":");
    match outcome.1 {
        Some(r) => json_str(out, r),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b"},\"target\":");
    match target {
        None => out.extend_from_slice(b"null"),
        Some(ts) => {
            out.push(b'[');
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                t.put(out);
            }
            out.push(b']');
        }
    }
    out.extend_from_slice(b"}");
}

const APPS: [&str; 7] = [
    "ServiceNow",
    "Jira Software",
    "Microsoft Office 365",
    "Slack",
    "GitLab",
    "HubSpot",
    "Netvisor",
];

/// Appends one noise event by the user `name` / `login`.
pub fn put_noise(out: &mut Vec<u8>, rng: &mut Rng, ts_ms: i64, name: &str, login: &str) {
    let user = Principal::user(name, login);
    let client = rng.below(4) as usize;
    match rng.weighted(&[400, 300, 100, 110, 35, 30, 10, 15]) {
        0 => {
            let outcome = if rng.chance(40) {
                ("FAILURE", Some("INVALID_CREDENTIALS"))
            } else {
                ("SUCCESS", None)
            };
            put_event_outcome(
                out,
                rng,
                ts_ms,
                "user.session.start",
                &user,
                None,
                client,
                outcome,
            );
        }
        1 => {
            let app = Principal::app(rng.pick::<&str>(&APPS));
            put_event(
                out,
                rng,
                ts_ms,
                "user.authentication.sso",
                &user,
                Some(&[app]),
                client,
            );
        }
        2 => {
            let factor = Principal {
                id: okta_id("pfd", login),
                kind: "AuthenticatorEnrollment",
                alternate_id: "unknown".into(),
                display: "Okta Verify".into(),
            };
            put_event(
                out,
                rng,
                ts_ms,
                "user.authentication.auth_via_mfa",
                &user,
                Some(&[factor]),
                client,
            );
        }
        3 => put_event(out, rng, ts_ms, "user.session.end", &user, None, client),
        4 => put_event(
            out,
            rng,
            ts_ms,
            "user.account.update_password",
            &user,
            Some(std::slice::from_ref(&user)),
            client,
        ),
        5 => {
            let policy = Principal {
                id: "00pdefaultsignon0001".into(),
                kind: "PolicyEntity",
                alternate_id: "unknown".into(),
                display: "Default Policy".into(),
            };
            put_event_outcome(
                out,
                rng,
                ts_ms,
                "policy.evaluate_sign_on",
                &user,
                Some(&[policy]),
                client,
                ("ALLOW", None),
            );
        }
        6 => put_event_outcome(
            out,
            rng,
            ts_ms,
            "user.account.lock",
            &user,
            None,
            client,
            ("FAILURE", Some("LOCKED_OUT")),
        ),
        _ => {
            let group = Principal {
                id: okta_id("00g", "Everyone"),
                kind: "UserGroup",
                alternate_id: "unknown".into(),
                display: "All Staff".into(),
            };
            put_event(
                out,
                rng,
                ts_ms,
                "group.user_membership.add",
                &admin(),
                Some(&[user, group]),
                0,
            );
        }
    }
}

/// Writes a JSON array of `n` positions; `produce(from, to, buf)` writes the events of a range,
/// each after a `,\n` separator except the very first of the file.
pub fn write_array<F>(path: &Path, n: u64, produce: F) -> Result<(), Error>
where
    F: Fn(u64, u64, &mut Vec<u8>) -> Result<(), Error> + Sync,
{
    out::write_chunked(path, b"[\n", n, b"\n]\n", produce)
}
