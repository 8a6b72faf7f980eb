// Reports: the "Udskriv" button prints the page (the print stylesheet in
// css/reports.css gives a clean A4 document). No inline script (CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
