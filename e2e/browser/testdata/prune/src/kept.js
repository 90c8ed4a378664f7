(window.__calls ||= []).push('kept run');
