//! A real SMTP server (aiosmtpd, run by Debian's python3) for the notification tests.

use std::path::PathBuf;

use aftersale::operations::notifications::Channels;
use serde_json::Value;

/// A real SMTP server writing what it receives into a directory.
pub struct SmtpSink {
    process: std::process::Child,
    directory: PathBuf,
    pub port: u16,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let directory = std::env::temp_dir().join(format!("aftersale-smtp-{port}"));
        std::fs::create_dir_all(&directory).unwrap();
        let mut process = std::process::Command::new("/usr/bin/python3")
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py"))
            .arg(port.to_string())
            .arg(&directory)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with aiosmtpd (Debian python3-aiosmtpd; .ci/run installs it)");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(process.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        SmtpSink {
            process,
            directory,
            port,
        }
    }

    /// The app's e-mail channel to this server, as the test shop sends (links to shop.example).
    pub fn channels(&self) -> Channels {
        Channels::new(
            Some(&format!("smtp://127.0.0.1:{}", self.port)),
            "测试店铺 <shop@test.local>",
            "https://shop.example",
        )
        .unwrap()
    }

    /// Every message received so far (as smtp_sink.py writes them: to, subject, text, html).
    pub fn messages(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(&self.directory)
            .unwrap()
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "json")
            })
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}
