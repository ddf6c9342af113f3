import { render } from "preact";

render(<p>chiso</p>, document.getElementById("app")!);
