fn main() {
    println!("aftersale: the server is not wired yet; run `cargo test` for the domain tests");
}
