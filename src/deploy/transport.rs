//! The HTTP transport: azure_core's reqwest client, plus plain `http` for
//! loopback endpoints.
//!
//! azure_core's bearer-token policy and azure_identity refuse non-`https`
//! URLs, which is right for Azure but rules out a local emulator. So the SDK
//! is always handed `https` URLs ([`Transport::sdk_url`]); this transport,
//! the last hop, turns them back into `http` for exactly the loopback
//! authorities that were configured as plain `http`. Nothing else is ever
//! downgraded: [`crate::deploy::target::check_endpoint`] only accepts `http`
//! for loopback hosts.

use std::collections::BTreeSet;
use std::sync::Arc;

use azure_core::http::{AsyncRawResponse, HttpClient, Request, Url};

#[derive(Clone, Debug)]
pub struct Transport {
    inner: Arc<dyn HttpClient>,
    /// `host:port` of loopback endpoints configured with `http`.
    plain: Arc<BTreeSet<String>>,
}

fn authority(url: &Url) -> Option<String> {
    Some(format!("{}:{}", url.host_str()?, url.port_or_known_default()?))
}

/// rustls is built with the ring provider only (no aws-lc-sys C build);
/// reqwest's `rustls-no-provider` then needs it installed as the process
/// default before the first client is made. A second install is a no-op.
fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Transport {
    /// A transport for these configured endpoints.
    pub fn new<'a>(endpoints: impl IntoIterator<Item = &'a Url>) -> Self {
        let plain = endpoints
            .into_iter()
            .filter(|u| u.scheme() == "http" && crate::deploy::target::is_loopback(u))
            .filter_map(authority)
            .collect();
        install_tls_provider();
        Self { inner: azure_core::http::new_http_client(None), plain: Arc::new(plain) }
    }

    /// The URL as the SDK must see it (`https`, explicit port kept).
    pub fn sdk_url(&self, url: &Url) -> Url {
        let mut out = url.clone();
        if url.scheme() == "http" && authority(url).is_some_and(|a| self.plain.contains(&a)) {
            let port = url.port_or_known_default();
            out.set_scheme("https").expect("http -> https");
            out.set_port(port).expect("port on a host URL");
        }
        out
    }

    pub fn as_sdk_transport(&self) -> azure_core::http::Transport {
        azure_core::http::Transport::new(Arc::new(self.clone()))
    }
}

#[async_trait::async_trait]
impl HttpClient for Transport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let url = request.url();
        if url.scheme() == "https" && authority(url).is_some_and(|a| self.plain.contains(&a)) {
            let mut plain = request.clone();
            let port = url.port_or_known_default();
            plain.url_mut().set_scheme("http").expect("https -> http");
            plain.url_mut().set_port(port).expect("port on a host URL");
            return self.inner.execute_request(&plain).await;
        }
        self.inner.execute_request(request).await
    }
}
