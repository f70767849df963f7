//! Entry point of the browser app; everything else is in the library.

fn main() {
    // A panic aborts the wasm; this is how its message reaches the console.
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&info.to_string().into())));
    tessera_web::start();
}
