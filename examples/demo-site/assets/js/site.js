/* Acme Analytics site behaviour: CTA and newsletter tracking.
 * Event names and properties follow tracking/plan.yaml. */
(function () {
  'use strict';
  window.dataLayer = window.dataLayer || [];

  // cta_click: any element carrying data-cta-text.
  document.addEventListener('click', function (event) {
    var el = event.target.closest('[data-cta-text]');
    if (!el) { return; }
    window.dataLayer.push({
      event: 'cta_click',
      cta_text: el.getAttribute('data-cta-text').slice(0, 100),
      cta_position: el.getAttribute('data-cta-position') || 'banner'
    });
  });

  // newsletter_signup: footer form.
  document.querySelectorAll('form[data-list-id]').forEach(function (form) {
    form.addEventListener('submit', function () {
      window.dataLayer.push({
        event: 'newsletter_signup',
        form_id: form.getAttribute('data-form-id'),
        list_id: form.getAttribute('data-list-id')
      });
    });
  });

  // Demo booking: the scheduling embed on /contact/ posts a message when a slot is booked.
  window.addEventListener('message', function (event) {
    if (event.origin !== 'https://meet.acme-analytics.example' || !event.data) { return; }
    if (event.data.type === 'slot_booked') {
      window.dataLayer.push({event: 'demo_booked', meeting_minutes: event.data.minutes});
    }
  });

  // Cookie settings link: reopen the consent banner instead of navigating.
  document.querySelectorAll('[data-cookie-settings]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      if (window.AcmeConsent && typeof window.AcmeConsent.open === 'function') {
        event.preventDefault();
        window.AcmeConsent.open();
      }
    });
  });
})();
