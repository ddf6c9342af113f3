/** Entry of the enumerator app (/collect): renders the app and registers its service worker for offline use. */
import { render } from "preact";
import "../common/styles.css";
import "./collect.css";
import { CollectApp } from "./app.js";

render(<CollectApp />, document.getElementById("app")!);

// Scoped to /collect so that the respondent form and the dashboard stay outside its control.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/collect-sw.js", { scope: "/collect" }).catch((e: unknown) => console.warn("service worker not registered", e));
}
