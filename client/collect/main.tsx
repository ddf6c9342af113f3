/** Entry of the enumerator app (/collect): renders the app and registers its service worker for offline use. */
import { render } from "preact";
import "../common/styles.css";
import "./collect.css";
import { CollectApp } from "./app.js";
import { registerServiceWorker } from "../common/service-worker.js";

render(<CollectApp />, document.getElementById("app")!);

// Scoped to /collect so that the respondent form and the dashboard stay outside its control; a
// module worker, because it imports the queue's code shared with the page.
registerServiceWorker("/collect-sw.js", { scope: "/collect", type: "module" });
