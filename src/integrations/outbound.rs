//! Where the app's own requests may go. A webhook address a shop registers must not reach into
//! the network the app runs in (loopback, private ranges, link-local cloud metadata): it is
//! checked when registered, and again at every delivery by the resolver the HTTP client
//! connects through, so a name that resolves differently later (DNS rebinding) is refused too.
//! `APP_ALLOW_PRIVATE_TARGETS=true` lets an operator deliver to receivers on their own network.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::network::refusal;

/// Why an address may not be used, in words for the shop and the delivery log.
pub fn refused(address: IpAddr) -> Option<String> {
    refusal(address).map(|why| {
        format!("{address} is a {why} address inside the server's network; webhooks go to public addresses only")
    })
}

/// Checks an http(s) URL for an outgoing request: its scheme, and every address its host
/// resolves to. The error says what to fix.
pub async fn check_url(url: &str, allow_private: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|error| format!("url '{url}' is not an address: {error}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || url.len() > 500 {
        return Err("url must be an http or https address (at most 500 characters)".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("url may not carry a user name or password; use the signing secret".into());
    }
    let Some(url::Host::Domain(host)) = parsed.host() else {
        return match parsed.host() {
            None => Err("url must name a host".into()),
            Some(_) => check_literal(&parsed, allow_private),
        };
    };
    if allow_private {
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| format!("the host '{host}' cannot be resolved: {error}"))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("the host '{host}' has no address"));
    }
    match addresses.iter().find_map(|address| refused(address.ip())) {
        Some(why) => Err(format!("'{host}' resolves to {why}")),
        None => Ok(()),
    }
}

/// The HTTP client's resolver: it answers only with addresses an outgoing request may reach,
/// and refuses a name that resolves to any other.
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(why) = addresses.iter().find_map(|address| refused(address.ip())) {
                return Err(format!("refused: '{host}' resolves to {why}").into());
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

/// A client for requests to addresses shops chose: no redirects (a redirect could point
/// inside), and, unless private targets are allowed, the guarded resolver.
pub fn client(allow_private: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none());
    if allow_private {
        builder.build()
    } else {
        builder.dns_resolver(Arc::new(GuardedResolver)).build()
    }
}

/// An address written in the URL itself is not resolved (the guarded resolver never sees it),
/// so it is checked here: at registration and before each delivery.
pub fn check_literal(url: &reqwest::Url, allow_private: bool) -> Result<(), String> {
    let address = match url.host() {
        Some(url::Host::Ipv4(address)) => IpAddr::V4(address),
        Some(url::Host::Ipv6(address)) => IpAddr::V6(address),
        _ => return Ok(()),
    };
    match refused(address) {
        Some(why) if !allow_private => Err(why),
        _ => Ok(()),
    }
}

/// A failed request in words, with the guarded resolver's refusal when that was the cause.
pub fn describe(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(current) = source {
        let text = current.to_string();
        if text.starts_with("refused: ") {
            return text;
        }
        source = current.source();
    }
    error.to_string()
}
