//! The PostgreSQL server the database secrets engine tests use: real logins over TCP on
//! loopback, its own data directory, gone when dropped.

use vault_sandbox::postgres::Postgres;

#[test]
fn a_real_postgres_accepts_its_superuser_and_refuses_a_wrong_password() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "postgres");
    let pg = Postgres::start(&dir).expect("start PostgreSQL");
    assert!(pg.login_works(&pg.superuser, &pg.password));
    assert!(!pg.login_works(&pg.superuser, "wrong"));
    assert_eq!(
        pg.psql(&pg.superuser, &pg.password, "SELECT 40 + 2")
            .unwrap(),
        "42"
    );
    let port = pg.port;
    drop(pg);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening after drop"
    );
}
