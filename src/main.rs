//! Entry point of the browser app; everything else is in the library.

fn main() {
    console_error_panic_hook::set_once();
    tessera_web::start();
}
