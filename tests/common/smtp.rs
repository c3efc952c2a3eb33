//! A real SMTP server for the notification tests, in process: it speaks the protocol over TCP
//! (RFC 5321: greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) and
//! decodes each accepted message with `mail-parser` (RFC 2047 subjects, quoted-printable and
//! base64 parts), so the app's mail goes through lettre and a socket exactly as in production.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use aftersale::operations::notifications::Channels;
use mail_parser::MimeHeaders;
use serde_json::{Value, json};

/// A real SMTP server keeping what it receives in memory.
pub struct SmtpSink {
    received: Arc<Mutex<Vec<Value>>>,
    pub port: u16,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let store = store.clone();
                std::thread::spawn(move || {
                    let _ = converse(stream, &store);
                });
            }
        });
        SmtpSink { received, port }
    }

    /// The app's e-mail channel to this server, as the test shop sends (links to shop.example).
    pub fn channels(&self) -> Channels {
        Channels::new(
            Some(&format!("smtp://127.0.0.1:{}", self.port)),
            "测试店铺 <shop@test.local>",
            "https://shop.example",
        )
        .unwrap()
        .allowing_private_targets(true)
        .unwrap()
    }

    /// Every message received so far, in order: from, to, subject, message_id, text, html and
    /// attachments (name, text).
    pub fn messages(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }
}

/// One SMTP session on one connection.
fn converse(stream: TcpStream, store: &Mutex<Vec<Value>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut reply = |text: &str| writer.write_all(format!("{text}\r\n").as_bytes());
    reply("220 sink.test ESMTP")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => reply("250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8")?,
            "HELO" => reply("250 sink.test")?,
            "MAIL" => {
                from = address(command);
                to.clear();
                reply("250 OK")?;
            }
            "RCPT" => {
                to.push(address(command));
                reply("250 OK")?;
            }
            "DATA" => {
                reply("354 End data with <CR><LF>.<CR><LF>")?;
                let content = read_data(&mut reader)?;
                store.lock().unwrap().push(decode(&from, &to, &content));
                reply("250 Message accepted")?;
            }
            "RSET" => {
                from.clear();
                to.clear();
                reply("250 OK")?;
            }
            "NOOP" => reply("250 OK")?,
            "QUIT" => return reply("221 Bye"),
            _ => reply("502 Command not implemented")?,
        }
    }
}

/// The address inside `MAIL FROM:<…>` or `RCPT TO:<…>`.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_string())
        .unwrap_or_default()
}

/// The message's lines up to the lone dot, with leading dots unstuffed.
fn read_data(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut content = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(content);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(content);
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        content.extend_from_slice(unstuffed);
    }
}

fn decode(from: &str, to: &[String], content: &[u8]) -> Value {
    let message = mail_parser::MessageParser::default()
        .parse(content)
        .expect("the sink received a message it cannot parse");
    json!({
        "from": from,
        "to": to,
        "subject": message.subject().unwrap_or_default(),
        "message_id": message.message_id().map(|id| format!("<{id}>")).unwrap_or_default(),
        "text": message.body_text(0).map(|text| text.into_owned()).unwrap_or_default(),
        "html": message.body_html(0).map(|html| html.into_owned()).unwrap_or_default(),
        "attachments": message.attachments().map(|part| json!({
            "name": part.attachment_name().unwrap_or_default(),
            "text": String::from_utf8_lossy(part.contents()),
        })).collect::<Vec<_>>(),
    })
}
