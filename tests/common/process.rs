//! The app as a process: `aftersale serve` started on a free port, killed (SIGKILL) when dropped
//! or when a test says so, and started again on the same database.

use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The demo's tokens per database and e-mail: printed once, when the first start loads the demo.
static TOKENS: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());
pub const AGENT: &str = "agent@demo.local";
pub const SUPERVISOR: &str = "supervisor@demo.local";

/// Each server's base URL with its database.
static BASES: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

pub fn token_for_base(base: &str, email: &str) -> String {
    let bases = BASES.lock().unwrap();
    let (_, database_url) = bases
        .iter()
        .find(|(known, _)| known == base)
        .expect("a server started by this test");
    TOKENS
        .lock()
        .unwrap()
        .iter()
        .find(|(known, known_email, _)| known == database_url && known_email == email)
        .map(|(_, _, token)| token.clone())
        .expect("the server printed the demo's agent token when it loaded the demo")
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `aftersale serve` on a free port of this machine with these variables, and waits until
/// it answers; the first start of a database loads the demo and its printed tokens are kept.
pub async fn start(database_url: &str, variables: &[(&str, &str)]) -> Server {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("APP_DATABASE_URL", database_url)
        .envs(variables.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (found, token) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(token) = line.split("API token: ").nth(1)
                && let Some(email) = line.split_whitespace().find(|word| word.contains('@'))
            {
                let _ = found.send((email.to_string(), token.trim().to_string()));
            }
        }
    });
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    wait_until_healthy(&server.base).await;
    // The first start of a database prints the token; later starts find it remembered.
    while let Ok((email, token)) = token.recv_timeout(Duration::from_millis(300)) {
        TOKENS
            .lock()
            .unwrap()
            .push((database_url.to_string(), email, token));
    }
    BASES
        .lock()
        .unwrap()
        .push((server.base.clone(), database_url.to_string()));
    server
}

/// A port of this machine free at the moment.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `{base}/healthz` answers 200 (at most a minute).
pub async fn wait_until_healthy(base: &str) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    while !client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{base} never answered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Server {
    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new database for a server process: a fresh PostgreSQL database name on TEST_DATABASE_URL's
/// server, or a SQLite file in a new directory.
pub fn database_url() -> (String, Option<std::path::PathBuf>) {
    match super::test_database_url() {
        Some(server) => {
            let (base, _) = server.rsplit_once('/').unwrap();
            let name = format!("aftersale_test_{}", uuid::Uuid::now_v7().simple());
            (format!("{base}/{name}"), None)
        }
        _ => {
            let directory = std::env::temp_dir().join(format!(
                "aftersale-restart-{}",
                uuid::Uuid::now_v7().simple()
            ));
            (
                format!("sqlite://{}/app.db", directory.display()),
                Some(directory),
            )
        }
    }
}
